#include "plugins/elf_check.hpp"

#include <elf.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

using valory::host::ElfCheck;
namespace fs = std::filesystem;

namespace {

fs::path writeFile(const std::string& name, const std::string& bytes) {
    fs::path p = fs::temp_directory_path() / ("valory-elf-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
}

std::string header(unsigned char cls, unsigned short machine, unsigned short type) {
    Elf64_Ehdr h{};
    std::memcpy(h.e_ident, ELFMAG, SELFMAG);
    h.e_ident[EI_CLASS] = cls;
    h.e_ident[EI_DATA] = ELFDATA2LSB;
    h.e_ident[EI_VERSION] = EV_CURRENT;
    h.e_type = type;
    h.e_machine = machine;
    h.e_version = EV_CURRENT;
    return std::string(reinterpret_cast<const char*>(&h), sizeof h) + std::string(256, '\0');
}

}  // namespace

TEST(ElfCheck, AcceptsALoadableSharedObject) {
    // This test binary is a PIE (ET_DYN) of the host's class and machine.
    EXPECT_EQ(ElfCheck::check("/proc/self/exe"), "");
    EXPECT_EQ(ElfCheck::check(writeFile("ok", header(ELFCLASS64, EM_X86_64, ET_DYN))), "");
}

TEST(ElfCheck, NamesTheDistinguishingFact) {
    EXPECT_EQ(ElfCheck::check(writeFile("text", "just text, not a library\n")),
              "not an ELF file (bad magic): " + ("valory-elf-" + std::to_string(::getpid()) + "-text"));
    EXPECT_EQ(ElfCheck::check(writeFile("c32", header(ELFCLASS32, EM_386, ET_DYN))),
              "ELF class 32-bit, host 64-bit");
    EXPECT_EQ(ElfCheck::check(writeFile("arm", header(ELFCLASS64, EM_AARCH64, ET_DYN))),
              "ELF machine AArch64 (183), host x86-64 (62)");
    EXPECT_EQ(ElfCheck::check(writeFile("exec", header(ELFCLASS64, EM_X86_64, ET_EXEC))),
              "ELF type executable, expected a shared object (ET_DYN)");
    EXPECT_EQ(ElfCheck::check(writeFile("short", std::string(ELFMAG) + "\x02")),
              "not an ELF file (bad magic): " + ("valory-elf-" + std::to_string(::getpid()) + "-short"));
    EXPECT_EQ(ElfCheck::check("/nonexistent/libx.so"), "library /nonexistent/libx.so cannot be opened");
}
