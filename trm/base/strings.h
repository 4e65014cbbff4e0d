// Small string helpers shared by the core's error messages and the HTML reports of plugins and tools.
#ifndef TRM_BASE_STRINGS_H_
#define TRM_BASE_STRINGS_H_

#include <string>
#include <vector>

namespace trm {

// Levenshtein distance, case-insensitive.
int EditDistance(const std::string& a, const std::string& b);

// The candidates closest to `name` (at most `max_results`, best first), for "did you mean" hints.
// A candidate qualifies when its distance is at most max(2, |name| / 3) or one contains the other.
std::vector<std::string> ClosestMatches(const std::string& name,
                                        const std::vector<std::string>& candidates,
                                        int max_results = 3);

// " (did you mean 'a' or 'b'?)" or "" when nothing is close.
std::string DidYouMean(const std::string& name, const std::vector<std::string>& candidates);

// Orders names by their text, then by a trailing number: "ARC/pass@2" before "ARC/pass@10".
bool NaturalLess(const std::string& a, const std::string& b);

// `text` as HTML text or attribute value: & < > " ' escaped.
std::string HtmlEscape(const std::string& text);

}  // namespace trm

#endif  // TRM_BASE_STRINGS_H_
