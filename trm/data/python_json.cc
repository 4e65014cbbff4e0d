#include "trm/data/python_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "trm/base/file_util.h"

namespace trm {
namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] "; keep the readable part.
std::string StripExceptionTag(const std::string& what) {
  if (absl::StartsWith(what, "[json.exception.")) {
    const size_t end = what.find("] ");
    if (end != std::string::npos) return what.substr(end + 2);
  }
  return what;
}

constexpr char kHex[] = "0123456789abcdef";

void AppendEscape(uint32_t unit, std::string* out) {
  out->append("\\u");
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(unit >> shift) & 0xf]);
}

// Decodes one UTF-8 sequence at `s[*i]` and advances `*i`; a malformed sequence yields U+FFFD.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  const uint8_t lead = static_cast<uint8_t>(s[*i]);
  int extra;
  if (lead < 0x80) {
    ++*i;
    return lead;
  } else if ((lead & 0xe0) == 0xc0) {
    extra = 1;
  } else if ((lead & 0xf0) == 0xe0) {
    extra = 2;
  } else if ((lead & 0xf8) == 0xf0) {
    extra = 3;
  } else {
    ++*i;
    return 0xfffd;
  }
  uint32_t cp = lead & (0x3f >> extra);
  for (int k = 1; k <= extra; ++k) {
    if (*i + k >= s.size() || (static_cast<uint8_t>(s[*i + k]) & 0xc0) != 0x80) {
      ++*i;
      return 0xfffd;
    }
    cp = (cp << 6) | (static_cast<uint8_t>(s[*i + k]) & 0x3f);
  }
  *i += extra + 1;
  return cp;
}

}  // namespace

absl::StatusOr<nlohmann::ordered_json> ParseJson(const std::string& text,
                                                 const std::string& source) {
  // One key set per open object, to report repeated keys.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  // Lists and objects open around the current value. Nesting is bounded because values are
  // dumped and walked recursively (nlohmann's dump(), AppendPythonJson): a file of a million '['
  // would overflow the stack. Python's json.loads gives up near 1000 levels (RecursionError).
  int open_containers = 0;
  struct TooDeep {};
  auto callback = [&](int /*depth*/, nlohmann::ordered_json::parse_event_t event,
                      nlohmann::ordered_json& parsed) {
    using Event = nlohmann::ordered_json::parse_event_t;
    if (event == Event::object_start || event == Event::array_start) {
      if (++open_containers > kMaxJsonDepth) throw TooDeep();
    } else if (event == Event::object_end || event == Event::array_end) {
      --open_containers;
    }
    if (event == Event::object_start) {
      open_objects.emplace_back();
    } else if (event == Event::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == Event::key && !open_objects.empty()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!open_objects.back().insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  try {
    nlohmann::ordered_json value = nlohmann::ordered_json::parse(text, callback);
    if (!duplicate.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": not valid JSON: key \"", duplicate,
                                                     "\" appears twice in one object"));
    }
    return value;
  } catch (const nlohmann::ordered_json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not valid JSON: ", StripExceptionTag(e.what())));
  } catch (const TooDeep&) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": lists and objects nested deeper than ", kMaxJsonDepth, " levels"));
  }
}

absl::StatusOr<nlohmann::ordered_json> ReadJsonFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  return ParseJson(*text, path);
}

std::string PythonFloatRepr(double value) {
  if (std::isnan(value)) return "NaN";  // json.dumps spells them like JavaScript
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then Python's layout rules.
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  std::string sci(buffer, result.ptr);
  const bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  const size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int exponent = std::atoi(sci.c_str() + e + 1);
  const int decimal_point = exponent + 1;  // digits before the point in fixed notation
  std::string out = negative ? "-" : "";
  if (decimal_point > -4 && decimal_point <= 16) {
    if (decimal_point <= 0) {
      out += "0." + std::string(-decimal_point, '0') + digits;
    } else if (static_cast<size_t>(decimal_point) >= digits.size()) {
      out += digits + std::string(decimal_point - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, decimal_point) + "." + digits.substr(decimal_point);
    }
  } else {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    const int shown = std::abs(exponent);
    out += absl::StrCat("e", exponent < 0 ? "-" : "+", shown < 10 ? "0" : "", shown);
  }
  return out;
}

void AppendPythonJsonString(std::string_view utf8, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < utf8.size();) {
    const uint32_t cp = NextCodePoint(utf8, &i);
    switch (cp) {
      case '"':
        out->append("\\\"");
        continue;
      case '\\':
        out->append("\\\\");
        continue;
      case '\n':
        out->append("\\n");
        continue;
      case '\r':
        out->append("\\r");
        continue;
      case '\t':
        out->append("\\t");
        continue;
      case '\b':
        out->append("\\b");
        continue;
      case '\f':
        out->append("\\f");
        continue;
      default:
        break;
    }
    if (cp < 0x20 || (cp >= 0x7f && cp < 0x10000)) {
      AppendEscape(cp, out);
    } else if (cp >= 0x10000) {
      const uint32_t v = cp - 0x10000;
      AppendEscape(0xd800 | (v >> 10), out);
      AppendEscape(0xdc00 | (v & 0x3ff), out);
    } else {
      out->push_back(static_cast<char>(cp));
    }
  }
  out->push_back('"');
}

void AppendPythonJson(const nlohmann::ordered_json& value, std::string* out) {
  using Type = nlohmann::ordered_json::value_t;
  switch (value.type()) {
    case Type::null:
      out->append("null");
      return;
    case Type::boolean:
      out->append(value.get<bool>() ? "true" : "false");
      return;
    case Type::number_integer:
      absl::StrAppend(out, value.get<int64_t>());
      return;
    case Type::number_unsigned:
      absl::StrAppend(out, value.get<uint64_t>());
      return;
    case Type::number_float:
      out->append(PythonFloatRepr(value.get<double>()));
      return;
    case Type::string:
      AppendPythonJsonString(value.get_ref<const std::string&>(), out);
      return;
    case Type::array: {
      out->push_back('[');
      bool first = true;
      for (const auto& element : value) {
        if (!first) out->append(", ");
        first = false;
        AppendPythonJson(element, out);
      }
      out->push_back(']');
      return;
    }
    case Type::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, element] : value.items()) {
        if (!first) out->append(", ");
        first = false;
        AppendPythonJsonString(key, out);
        out->append(": ");
        AppendPythonJson(element, out);
      }
      out->push_back('}');
      return;
    }
    default:  // binary / discarded values never come from parsing text
      out->append("null");
      return;
  }
}

std::string PythonJsonDumps(const nlohmann::ordered_json& value) {
  std::string out;
  AppendPythonJson(value, &out);
  return out;
}

}  // namespace trm
