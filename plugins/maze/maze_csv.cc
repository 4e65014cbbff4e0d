#include "plugins/maze/maze_csv.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "trm/base/file_util.h"
#include "trm/base/status_macros.h"

namespace trm::maze {
namespace {

// One CSV record and the line it starts on.
struct CsvRow {
  int line = 0;
  std::vector<std::string> fields;
};

absl::StatusOr<std::vector<CsvRow>> ParseCsv(const std::string& text, const std::string& path) {
  std::vector<CsvRow> rows;
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    CsvRow row;
    row.line = line;
    std::string field;
    bool end_of_row = false;
    while (!end_of_row) {
      field.clear();
      if (i < text.size() && text[i] == '"') {
        ++i;
        while (true) {
          if (i >= text.size()) {
            return absl::InvalidArgumentError(
                absl::StrCat(path, ":", row.line, ": a quoted field is never closed"));
          }
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field.push_back(text[i++]);
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ":", line, ": characters after a closing quote"));
        }
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          field.push_back(text[i++]);
        }
      }
      row.fields.push_back(field);
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size() && text[i] == '\r') ++i;
      if (i < text.size() && text[i] == '\n') ++i;
      ++line;
      end_of_row = true;
    }
    // A blank line is no record (a trailing newline, or an empty line the csv module skips).
    if (row.fields.size() == 1 && row.fields[0].empty()) continue;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

int MazeCharToken(char c) {
  const char* found = c == '\0' ? nullptr : std::strchr(kMazeCharset, c);
  return found == nullptr ? -1 : static_cast<int>(found - kMazeCharset) + 1;
}

absl::StatusOr<MazeCsv> ReadMazeCsv(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return absl::NotFoundError(absl::StrCat(path, ": cannot read the maze CSV"));
  TRM_ASSIGN_OR_RETURN(std::vector<CsvRow> rows, ParseCsv(*text, path));
  if (rows.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ":1: no header row"));

  const CsvRow& header = rows[0];
  auto column = [&](const char* name) -> absl::StatusOr<size_t> {
    for (size_t c = 0; c < header.fields.size(); ++c) {
      if (header.fields[c] == name) return c;
    }
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", header.line, ": no '", name,
                     "' column in the header (expected source,question,answer,rating)"));
  };
  TRM_ASSIGN_OR_RETURN(const size_t source_col, column("source"));
  TRM_ASSIGN_OR_RETURN(const size_t question_col, column("question"));
  TRM_ASSIGN_OR_RETURN(const size_t answer_col, column("answer"));
  TRM_ASSIGN_OR_RETURN(const size_t rating_col, column("rating"));

  MazeCsv csv;
  for (size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    auto error = [&](const std::string& what) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", row.line, ": ", what));
    };
    if (row.fields.size() != header.fields.size()) {
      return error(
          absl::StrCat(row.fields.size(), " fields, the header has ", header.fields.size()));
    }
    MazeRecord record{row.fields[source_col], row.fields[question_col], row.fields[answer_col],
                      row.fields[rating_col]};
    const int64_t length = static_cast<int64_t>(record.question.size());
    const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(length))));
    if (length == 0 || int64_t{side} * side != length) {
      return error(
          absl::StrCat("the question has ", length, " characters, not the square of a grid side"));
    }
    if (csv.side == 0) csv.side = side;
    if (side != csv.side) {
      return error(absl::StrCat("a ", side, "x", side, " maze; the first maze is ", csv.side, "x",
                                csv.side));
    }
    if (record.answer.size() != record.question.size()) {
      return error(absl::StrCat("the answer has ", record.answer.size(),
                                " characters, the question ", length));
    }
    for (const auto& [name, grid] :
         {std::pair{"question", &record.question}, std::pair{"answer", &record.answer}}) {
      for (size_t k = 0; k < grid->size(); ++k) {
        if (MazeCharToken((*grid)[k]) < 0) {
          return error(absl::StrCat(name, " character ", k, " is '", grid->substr(k, 1),
                                    "', expected one of \"", kMazeCharset, "\""));
        }
      }
    }
    csv.records.push_back(std::move(record));
  }
  return csv;
}

std::string MazeCsvText(const std::vector<MazeRecord>& records) {
  auto append_field = [](const std::string& field, std::string* out) {
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
      out->append(field);
      return;
    }
    out->push_back('"');
    for (char c : field) {
      if (c == '"') out->push_back('"');
      out->push_back(c);
    }
    out->push_back('"');
  };
  std::string out = "source,question,answer,rating\n";
  for (const MazeRecord& record : records) {
    for (const std::string* field :
         {&record.source, &record.question, &record.answer, &record.rating}) {
      if (field != &record.source) out.push_back(',');
      append_field(*field, &out);
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace trm::maze
