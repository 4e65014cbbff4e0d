#include "trm/base/strings.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace trm {

int EditDistance(const std::string& a_in, const std::string& b_in) {
  const std::string a = absl::AsciiStrToLower(a_in);
  const std::string b = absl::AsciiStrToLower(b_in);
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> ClosestMatches(const std::string& name,
                                        const std::vector<std::string>& candidates,
                                        int max_results) {
  const int limit = std::max<int>(2, static_cast<int>(name.size()) / 3);
  std::vector<std::pair<int, std::string>> scored;
  for (const std::string& candidate : candidates) {
    int distance = EditDistance(name, candidate);
    const std::string lower_name = absl::AsciiStrToLower(name);
    const std::string lower_candidate = absl::AsciiStrToLower(candidate);
    const bool contains = !name.empty() && (absl::StrContains(lower_candidate, lower_name) ||
                                            absl::StrContains(lower_name, lower_candidate));
    if (distance <= limit || contains)
      scored.emplace_back(contains ? std::min(distance, limit) : distance, candidate);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> result;
  for (const auto& [distance, candidate] : scored) {
    if (static_cast<int>(result.size()) == max_results) break;
    result.push_back(candidate);
  }
  return result;
}

std::string DidYouMean(const std::string& name, const std::vector<std::string>& candidates) {
  std::vector<std::string> close = ClosestMatches(name, candidates);
  if (close.empty()) return "";
  for (std::string& c : close) c = "'" + c + "'";
  return " (did you mean " + absl::StrJoin(close, " or ") + "?)";
}

bool NaturalLess(const std::string& a, const std::string& b) {
  const auto split = [](const std::string& name) {
    size_t digits = name.size();
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(name[digits - 1]))) --digits;
    const std::string number = name.substr(digits);
    // Compare numbers by length first, then digit by digit: no overflow on long digit runs.
    const size_t significant = number.find_first_not_of('0');
    const std::string trimmed = significant == std::string::npos ? "" : number.substr(significant);
    return std::make_tuple(name.substr(0, digits), !number.empty(), trimmed.size(), trimmed);
  };
  return split(a) < split(b);
}

std::string HtmlEscape(const std::string& text) {
  return absl::StrReplaceAll(
      text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

}  // namespace trm
