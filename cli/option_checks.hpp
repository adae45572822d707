// Option values checked before any work or any write: the text of numbers (range of their type, the value typed
// named in the message), seeds, delimiters, one role per column, counts with sane limits, thread counts the
// machine can start.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "app/option_limits.hpp"

namespace CLI {
class App;
}

namespace kseg {

// Attaches to every option of app and its subcommands a check of the text typed, run before CLI11 converts it:
// integers must be integers inside their type's range (unsigned ones, such as --seed, from 0 to 2^64 − 1; no
// negative value wraps around), a delimiter must be one character other than a quote, a line break or NUL, and a
// text is not empty (except --na-values, where '' means blanks only).
void option_text_checks_attach(CLI::App& app);

// CLI11's "Could not convert: --n-init = 99999999999" as kseg says it (the option and the value typed).
std::string conversion_error_message(const std::string& cli11_message);

}  // namespace kseg
