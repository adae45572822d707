// The encoding of text input: kseg reads UTF-8 (with or without a byte order mark). Other encodings are named as such
// before any work, so a user converts the file instead of meeting garbled columns or a late failure when a level is
// written to JSON.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kseg {

// Throws DataError naming path when the file starts with a UTF-16 or UTF-32 byte order mark, with the iconv command
// that converts it. head: the first bytes of the file (4 are enough).
void text_bom_check(std::string_view head, const std::string& path);

// The offset of the first byte that breaks UTF-8 (overlong forms, surrogates and code points above U+10FFFF included),
// or std::string_view::npos when text is well-formed UTF-8.
size_t utf8_invalid_offset(std::string_view text);

// True when text is well-formed UTF-8.
inline bool utf8_valid(std::string_view text) { return utf8_invalid_offset(text) == std::string_view::npos; }

// The offset of the first control byte that cannot stand in a name or a level (NUL and the C0 controls other than
// tab, line feed and carriage return), or std::string_view::npos when there is none. Names and levels end up in
// model.json and in output files, where a NUL cuts the text short or breaks the reader of the next tool.
size_t control_byte_offset(std::string_view text);

// "" when text is fit for a name or a level; otherwise why not, e.g. "\"a\x00b\" holds a control byte (byte 2, NUL);
// remove it", or the UTF-8 problem with utf8_advice(path).
std::string name_text_problem(std::string_view text, const std::string& path);

// text in double quotes for a one-line message: control characters and bytes outside well-formed UTF-8 written as
// \xNN, cut after max_bytes with "...".
std::string text_quote(std::string_view text, size_t max_bytes = 40);

// One-line advice for a cell or name that is not UTF-8, e.g. "the file is not UTF-8 (Latin-1 or Windows-1252?): ...".
std::string utf8_advice(const std::string& path);

}  // namespace kseg
