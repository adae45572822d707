#include "cli/option_checks.hpp"

#include <omp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ostream>
#include <thread>

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
    }
  }
  for (CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) option_checks_add(*sub);
}

// "--x a": whether name is among list.
bool listed(const std::vector<std::string>& list, const std::string& name) {
  return !name.empty() && std::find(list.begin(), list.end(), name) != list.end();
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

void count_limit_check(int64_t value, int64_t max, const std::string& option) {
  KSEG_EXPECTS(value <= max, UsageError,
               option + " is at most " + std::to_string(max) + " (got " + std::to_string(value) + ")");
}

void column_roles_validate(const ColumnRoleOptions& r) {
  struct Role {
    const char* option;
    std::vector<std::string> names;
  };
  const std::vector<Role> roles = {{"--id-column", {r.id_column}}, {"--weight-column", {r.weight_column}},
                                   {"--columns", r.columns},       {"--categorical", r.categorical},
                                   {"--numeric", r.numeric},       {"--date-columns", r.dates},
                                   {"--ignore", r.ignore},         {"--audit-columns", r.audit}};
  // Pairs of roles a column cannot hold at once (indices into roles): id and weight with everything; the forced
  // types with each other; --ignore with everything; --audit-columns with --columns (audit columns are not features).
  const auto clash = [](size_t a, size_t b) {
    if (a > b) std::swap(a, b);
    if (a <= 1 || b == 6) return true;
    if (a >= 3 && a <= 5 && b >= 3 && b <= 5) return true;
    return a == 2 && b == 7;
  };
  for (size_t a = 0; a < roles.size(); ++a)
    for (size_t b = a + 1; b < roles.size(); ++b) {
      if (!clash(a, b)) continue;
      for (const std::string& name : roles[a].names)
        KSEG_EXPECTS(!listed(roles[b].names, name), UsageError,
                     "column \"" + name + "\" is given two roles: " + roles[a].option + " and " + roles[b].option +
                         "; give each column one role");
    }
}

int threads_cap(int requested, bool quiet, std::ostream& err) {
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  const int cap = static_cast<int>(std::min<int64_t>(kThreadsPerCore * cores, 4096));
  const int wanted = requested > 0 ? requested : omp_get_max_threads();
  if (wanted <= cap) return requested;
  if (!quiet)
    err << "kseg: notice: " << (requested > 0 ? "--threads " : "OMP_NUM_THREADS ") << wanted << " is more than "
        << kThreadsPerCore << " × this machine's " << cores << " cores: using " << cap << " threads\n";
  return cap;
}

}  // namespace kseg
