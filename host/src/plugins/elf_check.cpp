#include "plugins/elf_check.hpp"

#include <elf.h>

#include <cstring>
#include <fstream>

namespace valory::host {

namespace {

#if defined(__x86_64__)
constexpr unsigned kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kHostMachine = EM_AARCH64;
#elif defined(__i386__)
constexpr unsigned kHostMachine = EM_386;
#else
#error "unsupported host architecture"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr unsigned char kHostData = ELFDATA2LSB;
#else
constexpr unsigned char kHostData = ELFDATA2MSB;
#endif

constexpr unsigned char kHostClass = sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32;

const char* className(unsigned char c) {
    switch (c) {
        case ELFCLASS32:
            return "32-bit";
        case ELFCLASS64:
            return "64-bit";
        default:
            return "invalid";
    }
}

}  // namespace

std::string ElfCheck::machineName(unsigned machine) {
    std::string name;
    switch (machine) {
        case EM_X86_64:
            name = "x86-64";
            break;
        case EM_386:
            name = "i386";
            break;
        case EM_AARCH64:
            name = "AArch64";
            break;
        case EM_ARM:
            name = "ARM";
            break;
        case EM_RISCV:
            name = "RISC-V";
            break;
        case EM_PPC64:
            name = "PowerPC64";
            break;
        case EM_S390:
            name = "S/390";
            break;
        default:
            name = "unknown";
            break;
    }
    return name + " (" + std::to_string(machine) + ")";
}

std::string ElfCheck::check(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return "library " + file.string() + " cannot be opened";
    unsigned char ident[EI_NIDENT] = {};
    in.read(reinterpret_cast<char*>(ident), EI_NIDENT);
    if (in.gcount() < EI_NIDENT || std::memcmp(ident, ELFMAG, SELFMAG) != 0)
        return "not an ELF file (bad magic): " + file.filename().string();
    if (ident[EI_CLASS] != kHostClass)
        return std::string("ELF class ") + className(ident[EI_CLASS]) + ", host " + className(kHostClass);
    if (ident[EI_DATA] != kHostData)
        return std::string("ELF byte order ") +
               (ident[EI_DATA] == ELFDATA2LSB ? "little-endian" : "big-endian") + ", host " +
               (kHostData == ELFDATA2LSB ? "little-endian" : "big-endian");
    // Same class as the host, so the native Ehdr layout applies.
    in.seekg(0);
#if defined(__LP64__)
    Elf64_Ehdr header{};
#else
    Elf32_Ehdr header{};
#endif
    in.read(reinterpret_cast<char*>(&header), sizeof header);
    if (in.gcount() < static_cast<std::streamsize>(sizeof header)) return "truncated ELF header";
    if (header.e_machine != kHostMachine)
        return "ELF machine " + machineName(header.e_machine) + ", host " + machineName(kHostMachine);
    if (header.e_type != ET_DYN) {
        const char* t = header.e_type == ET_EXEC  ? "executable"
                        : header.e_type == ET_REL ? "relocatable object"
                                                  : "other";
        return std::string("ELF type ") + t + ", expected a shared object (ET_DYN)";
    }
    return {};
}

}  // namespace valory::host
