#include "cli/option_checks.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ostream>

#include "host/error.hpp"

namespace kseg {
namespace {

// "" when text is an integer in [min, max] of its type, else why not. Digits only (an optional sign): 1e3, 0x10,
// 7.0 are not integers.
std::string integer_text_check(const std::string& text, bool is_unsigned) {
  const std::string range = is_unsigned ? "an integer from 0 to 18446744073709551615"
                                        : "an integer from -9223372036854775808 to 9223372036854775807";
  const size_t start = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (text.size() == start || text.find_first_not_of("0123456789", start) != std::string::npos)
    return "expected " + range + ", got \"" + text + "\"";
  if (is_unsigned && text[0] == '-') return "expected " + range + " (no negative values), got \"" + text + "\"";
  errno = 0;
  if (is_unsigned) {
    std::strtoull(text.c_str(), nullptr, 10);
  } else {
    std::strtoll(text.c_str(), nullptr, 10);
  }
  if (errno == ERANGE) return "\"" + text + "\" is out of range: expected " + range;
  return "";
}

// One character (or "\t", "tab" for a tab) that can separate CSV fields.
std::string delimiter_text_check(std::string& text) {
  if (text == "\\t" || text == "tab") text = "\t";
  if (text.size() != 1)
    return "expected one character (e.g. , ; | or tab), got \"" + text + "\"" + (text.empty() ? " (empty)" : "");
  const char c = text[0];
  if (c == '"') return "a quote cannot separate fields: it encloses them (RFC 4180)";
  if (c == '\n' || c == '\r') return "a line break cannot separate fields: it ends records";
  if (c == '\0') return "NUL cannot separate fields";
  return "";
}

void option_checks_add(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    const std::string type = option->get_type_name();
    if (type == "INT" || type == "UINT") {
      const bool is_unsigned = type == "UINT";
      option->check(CLI::Validator([is_unsigned](std::string& text) { return integer_text_check(text, is_unsigned); },
                                   "", "integer"));
    } else if (type == "CHAR") {
      option->transform(CLI::Validator(delimiter_text_check, "", "delimiter"));
    } else if (type == "TEXT" && option->get_name() != "--na-values") {
      // The commands read an empty text as "not given" (their default), so `--windows ""` or `--families ""` (an
      // unset shell variable) silently built the defaults. --na-values '' means "blanks only".
      const std::string why = option->get_name().rfind("-", 0) == 0
                                  ? "an empty value: give a value, or leave the option out"
                                  : "an empty value: give a value";  // a positional argument
      option->check(
          CLI::Validator([why](std::string& text) { return text.empty() ? why : std::string(); }, "", "non-empty"));
    }
  }
  for (CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) option_checks_add(*sub);
}

}  // namespace

void option_text_checks_attach(CLI::App& app) { option_checks_add(app); }

std::string conversion_error_message(const std::string& message) {
  // CLI11 2.x: "Could not convert: OPTION = VALUE".
  const std::string prefix = "Could not convert: ";
  const size_t equals = message.find(" = ");
  if (message.rfind(prefix, 0) != 0 || equals == std::string::npos) return message;
  const std::string option = message.substr(prefix.size(), equals - prefix.size());
  return option + ": \"" + message.substr(equals + 3) + "\" is not a number this option takes (too large, or not " +
         "a number of its type)";
}

}  // namespace kseg
