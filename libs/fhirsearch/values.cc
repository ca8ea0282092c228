// ParseDateRange and NormalizeString: the value forms that index rows and query values share.
#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/fhirsearch/search_params.h"

namespace planapi::fhirsearch {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kSecondsPerDay = 86400;

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t Micros(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return (DaysFromCivil(y, m, d) * kSecondsPerDay + hh * 3600 + mm * 60 + ss) * kMicrosPerSecond;
}

// Reads exactly `n` digits at `pos`.
bool Digits(absl::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) {
    return false;
  }
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

absl::Status Bad(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not a FHIR date, dateTime or instant: ", why));
}

}  // namespace

absl::StatusOr<DateRange> ParseDateRange(absl::string_view text) {
  int year = 0;
  if (!Digits(text, 0, 4, year) || year == 0) {
    return Bad(text, "expected a four-digit year (0001-9999)");
  }
  if (text.size() == 4) {
    return DateRange{Micros(year, 1, 1), Micros(year + 1, 1, 1) - 1};
  }
  int month = 0;
  if (text[4] != '-' || !Digits(text, 5, 2, month) || month < 1 || month > 12) {
    return Bad(text, "expected -MM with a month 01-12 after the year");
  }
  if (text.size() == 7) {
    const int64_t lo = Micros(year, month, 1);
    return DateRange{lo, lo + DaysInMonth(year, month) * kSecondsPerDay * kMicrosPerSecond - 1};
  }
  int day = 0;
  if (text[7] != '-' || !Digits(text, 8, 2, day) || day < 1 ||
      day > DaysInMonth(year, month)) {
    return Bad(text, absl::StrCat("expected -DD with a day that exists in ",
                                  absl::string_view(text.data(), 7)));
  }
  if (text.size() == 10) {
    const int64_t lo = Micros(year, month, day);
    return DateRange{lo, lo + kSecondsPerDay * kMicrosPerSecond - 1};
  }
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (text[10] != 'T' || !Digits(text, 11, 2, hour) || text.size() < 19 || text[13] != ':' ||
      !Digits(text, 14, 2, minute) || text[16] != ':' || !Digits(text, 17, 2, second)) {
    return Bad(text, "expected Thh:mm:ss after the date");
  }
  if (hour > 23 || minute > 59 || second > 60) {
    return Bad(text, "the time of day is out of range");
  }
  // A leap second (FHIR's pattern allows :60) is folded into the second before it.
  second = std::min(second, 59);
  size_t pos = 19;
  int64_t fraction = 0;
  int64_t width = kMicrosPerSecond;  // how many microseconds the written precision covers
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const size_t start = pos;
    while (pos < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[pos]))) {
      if (pos - start < 6) {
        fraction = fraction * 10 + (text[pos] - '0');
        width /= 10;
      }
      ++pos;
    }
    if (pos == start) {
      return Bad(text, "expected digits after the decimal point");
    }
    fraction *= width;
  }
  int64_t offset_seconds = 0;
  if (pos < text.size()) {
    const char zone = text[pos];
    if (zone == 'Z') {
      ++pos;
    } else if (zone == '+' || zone == '-') {
      int zh = 0;
      int zm = 0;
      if (!Digits(text, pos + 1, 2, zh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
          !Digits(text, pos + 4, 2, zm) || zh > 14 || zm > 59) {
        return Bad(text, "expected a zone Z or +hh:mm / -hh:mm");
      }
      offset_seconds = (zh * 3600 + zm * 60) * (zone == '+' ? 1 : -1);
      pos += 6;
    } else {
      return Bad(text, "expected a zone Z or +hh:mm / -hh:mm");
    }
  }
  if (pos != text.size()) {
    return Bad(text, "unexpected text after the time zone");
  }
  const int64_t lo = Micros(year, month, day, hour, minute, second) + fraction -
                     offset_seconds * kMicrosPerSecond;
  return DateRange{lo, lo + width - 1};
}

namespace {

// The ASCII form of the Latin-1 Supplement and Latin Extended-A letters (U+00C0-U+017F), lower
// case; nullptr where the code point is not a letter to fold.
const char* FoldLatin(char32_t cp) {
  static constexpr const char* kLatin1[] = {
      // U+00C0
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
      // U+00D0
      "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",
      // U+00E0
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
      // U+00F0
      "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "y"};
  static constexpr const char* kExtendedA[] = {
      // U+0100
      "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
      // U+0110
      "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
      // U+0120
      "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
      // U+0130
      "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
      // U+0140
      "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
      // U+0150
      "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
      // U+0160
      "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
      // U+0170
      "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s"};
  if (cp >= 0xC0 && cp <= 0xFF) {
    return kLatin1[cp - 0xC0];
  }
  if (cp >= 0x100 && cp <= 0x17F) {
    return kExtendedA[cp - 0x100];
  }
  return nullptr;
}

bool IsCombiningMark(char32_t cp) {
  return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
         (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
         (cp >= 0xFE20 && cp <= 0xFE2F);
}

bool IsSpace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
         cp == 0xA0 || cp == 0x2007 || cp == 0x202F || cp == 0x3000 ||
         (cp >= 0x2000 && cp <= 0x200A);
}

// Decodes one UTF-8 sequence at `i`; returns its length, 0 for a malformed byte.
size_t DecodeUtf8(absl::string_view s, size_t i, char32_t& cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n = 0;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    cp = c & 0x1F;
    n = 2;
  } else if ((c & 0xF0) == 0xE0) {
    cp = c & 0x0F;
    n = 3;
  } else if ((c & 0xF8) == 0xF0) {
    cp = c & 0x07;
    n = 4;
  } else {
    return 0;
  }
  if (i + n > s.size()) {
    return 0;
  }
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  return n;
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::optional<std::string> PrefixUpperBound(absl::string_view prefix) {
  // The last character starts at the last byte that is not a continuation byte.
  size_t start = prefix.size();
  while (start > 0 && prefix.size() - start < 4) {
    --start;
    if ((static_cast<unsigned char>(prefix[start]) & 0xC0) != 0x80) {
      break;
    }
  }
  if (start == prefix.size()) {
    return std::nullopt;
  }
  char32_t cp = 0;
  if (DecodeUtf8(prefix, start, cp) != prefix.size() - start || cp >= 0x10FFFF) {
    return std::nullopt;
  }
  ++cp;
  if (cp >= 0xD800 && cp <= 0xDFFF) {
    cp = 0xE000;  // surrogates are not characters
  }
  std::string out(prefix.substr(0, start));
  AppendUtf8(cp, out);
  return out;
}

std::string NormalizeString(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  size_t i = 0;
  while (i < text.size()) {
    char32_t cp = 0;
    size_t n = DecodeUtf8(text, i, cp);
    if (n == 0) {
      // Not UTF-8: keep the byte, as the stored text has it.
      if (pending_space) {
        out += ' ';
        pending_space = false;
      }
      out += text[i++];
      continue;
    }
    const absl::string_view raw = text.substr(i, n);
    i += n;
    if (IsSpace(cp)) {
      pending_space = !out.empty();
      continue;
    }
    if (IsCombiningMark(cp)) {
      continue;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    if (cp < 0x80) {
      out += absl::ascii_tolower(static_cast<unsigned char>(cp));
    } else if (const char* folded = FoldLatin(cp)) {
      out += folded;
    } else {
      out.append(raw.data(), raw.size());
    }
  }
  return out;
}

}  // namespace planapi::fhirsearch
