// Reads a library's ELF header before dlopen (which would run its static constructors).
#pragma once

#include <filesystem>
#include <string>

namespace valory::host {

class ElfCheck {
  public:
    /// Empty when `file` is a shared object this process can load (ELF magic, 64-bit, host byte
    /// order and machine, ET_DYN); otherwise the distinguishing fact, e.g.
    /// "not an ELF file (bad magic)", "ELF class 32-bit, host 64-bit",
    /// "ELF machine AArch64 (183), host x86-64 (62)".
    static std::string check(const std::filesystem::path& file);
    static std::string machineName(unsigned machine);
};

}  // namespace valory::host
