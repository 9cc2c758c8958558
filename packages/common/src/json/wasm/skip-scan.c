/*
 * SkipScan's validating scan (../scan.ts), compiled to WebAssembly with SIMD for the bytes inside
 * strings: the same grammar, the same states, the same places to pause. It never reports an error
 * itself: at the first byte that is not JSON it returns FAILED, and scan.ts runs its own scan over
 * the same bytes from the same state, which says what and where. So the messages stay the
 * JavaScript scan's, and a mistake here can cost time but cannot let bad JSON through, as long as
 * this never accepts what scan.ts refuses (the property tests run both on random damage).
 *
 * Built by scripts/build-wasm.mjs (clang --target=wasm32 -msimd128) into skip-scan-wasm.ts.
 */
#include <wasm_simd128.h>

typedef unsigned char u8;

#define PIECE (1 << 18)
#define STACK (1 << 16)
/* Ahead of the byte a scan judges (\uXXXX): an error this near the end of bytes that go on may be a cut token. */
#define LOOKAHEAD 6

/* The bytes to scan, copied in by scan.ts, and the open brackets (1 object, 0 array). */
static u8 bytes[PIECE];
static u8 stack[STACK];

enum { VALUE = 0, AFTER_VALUE = 1, NAME = 2, COLON_NEXT = 3, STRING = 4 };
enum { PAUSED = -1, FAILED = -2 };

/* The state between calls: what is expected at `keep`, as in scan.ts's SkipScan. */
static int g_mode, g_is_name, g_depth, g_keep;

__attribute__((export_name("input"))) u8 *input(void) { return bytes; }
__attribute__((export_name("brackets"))) u8 *brackets(void) { return stack; }
__attribute__((export_name("capacity"))) int capacity(void) { return PIECE; }
__attribute__((export_name("stackCapacity"))) int stack_capacity(void) { return STACK; }
__attribute__((export_name("mode"))) int mode(void) { return g_mode; }
__attribute__((export_name("isName"))) int is_name(void) { return g_is_name; }
__attribute__((export_name("depth"))) int depth(void) { return g_depth; }
__attribute__((export_name("keep"))) int keep(void) { return g_keep; }

__attribute__((export_name("setState"))) void set_state(int mode, int name, int depth) {
  g_mode = mode;
  g_is_name = name;
  g_depth = depth;
}

/* 1 for what may follow a backslash: " \ / b f n r t; 2 for u. */
static int escape_kind(int c) {
  switch (c) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': return 1;
    case 'u': return 2;
    default: return 0;
  }
}

static int is_hex(int c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int byte_at(int i, int n) { return i < n ? bytes[i] : -1; }

static int whitespace(int i, int n) {
  while (i < n) {
    u8 c = bytes[i];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return i;
    i++;
  }
  return i;
}

/*
 * Where a string whose content goes on at i ends (after its quote): >= 0; or PAUSE_AT(p) to go
 * on from p when the bytes end first (and not eof); or an error, its position in *err.
 */
#define STRING_ERROR (-0x7fffffff)
static int string_rest(int i, int n, int eof, int *err) {
  const v128_t quote = wasm_i8x16_splat('"');
  const v128_t backslash = wasm_i8x16_splat('\\');
  const v128_t space = wasm_i8x16_splat(0x20);
  for (;;) {
    /* Sixteen bytes at a time to the first quote, backslash or control character. */
    while (i + 16 <= n) {
      v128_t v = wasm_v128_load(bytes + i);
      v128_t stop = wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(v, quote), wasm_i8x16_eq(v, backslash)), wasm_u8x16_lt(v, space));
      unsigned mask = wasm_i8x16_bitmask(stop);
      if (mask) {
        i += __builtin_ctz(mask);
        goto found;
      }
      i += 16;
    }
    while (i < n) {
      u8 c = bytes[i];
      if (c == '"' || c == '\\' || c < 0x20) goto found;
      i++;
    }
    if (eof) {
      *err = i;
      return STRING_ERROR;
    }
    return -i - 1;
  found:;
    u8 c = bytes[i];
    if (c == '"') return i + 1;
    if (c != '\\') {
      *err = i;
      return STRING_ERROR;
    }
    int kind = i + 1 < n ? escape_kind(bytes[i + 1]) : 0;
    if (kind == 1) {
      i += 2;
      continue;
    }
    if (!eof && i + 5 >= n) return -i - 1;
    if (kind == 2 && i + 5 < n && is_hex(bytes[i + 2]) && is_hex(bytes[i + 3]) && is_hex(bytes[i + 4]) && is_hex(bytes[i + 5])) {
      i += 6;
      continue;
    }
    *err = i + 1;
    return STRING_ERROR;
  }
}

/* The end of a number at i, or -1 - (the position of the first wrong byte). */
static int number(int i, int n) {
  if (byte_at(i, n) == '-') i++;
  if (byte_at(i, n) == '0') i++;
  else if (is_digit(byte_at(i, n))) while (is_digit(byte_at(++i, n)));
  else return -1 - i;
  if (byte_at(i, n) == '.') {
    if (!is_digit(byte_at(++i, n))) return -1 - i;
    while (is_digit(byte_at(++i, n)));
  }
  int e = byte_at(i, n);
  if (e == 'e' || e == 'E') {
    i++;
    int sign = byte_at(i, n);
    if (sign == '+' || sign == '-') i++;
    if (!is_digit(byte_at(i, n))) return -1 - i;
    while (is_digit(byte_at(++i, n)));
  }
  return i;
}

/* The end of the literal at i, or -1 - (the position of the first wrong byte). */
static int literal(int i, int n, const char *word) {
  for (int k = 0; word[k]; k++)
    if (byte_at(i + k, n) != (u8)word[k]) return -1 - (i + k);
  return i + __builtin_strlen(word);
}

/*
 * Scans bytes[0..n) from the state set: the end of the value (>= 0, the state reset), PAUSED
 * (the state to go on from `keep` set) or FAILED (the state left as it was set).
 */
__attribute__((export_name("scan"))) int scan(int n, int eof) {
  int i = 0, at = 0, err = 0, r;
  int mode = g_mode, depth = g_depth;

/* An error at p: near the end of bytes that go on, the token may be cut: pause where the scan could go on from. */
#define FAIL_AT(p)                                          \
  do {                                                      \
    if (!eof && (p) >= n - LOOKAHEAD) goto pause_at_mode;   \
    return FAILED;                                          \
  } while (0)
#define PAUSE(position, how) \
  do {                       \
    at = (position);         \
    mode = (how);            \
    goto pause_at_mode;      \
  } while (0)
/* `"name":` from i (before whitespace); i after the colon. */
#define NAME_AND_COLON()                               \
  do {                                                 \
    i = whitespace(i, n);                              \
    if (byte_at(i, n) != '"') FAIL_AT(i);              \
    r = string_rest(i + 1, n, eof, &err);              \
    if (r == STRING_ERROR) FAIL_AT(err);               \
    if (r < 0) {                                       \
      g_is_name = 1;                                   \
      PAUSE(-r - 1, STRING);                           \
    }                                                  \
    i = whitespace(r, n);                              \
    if (byte_at(i, n) != ':') FAIL_AT(i);              \
    i++;                                               \
  } while (0)

  if (mode == STRING) {
    r = string_rest(i, n, eof, &err);
    if (r == STRING_ERROR) FAIL_AT(err);
    if (r < 0) PAUSE(-r - 1, STRING);
    i = r;
    mode = g_is_name ? COLON_NEXT : AFTER_VALUE;
  }
  if (mode == COLON_NEXT) {
    at = i;
    i = whitespace(i, n);
    if (byte_at(i, n) != ':') FAIL_AT(i);
    i++;
    mode = VALUE;
  } else if (mode == NAME) {
    at = i;
    NAME_AND_COLON();
    mode = VALUE;
  }
  for (;;) {
    if (mode == VALUE) {
      at = i;
      i = whitespace(i, n);
      int c = byte_at(i, n);
      if (c == '"') {
        r = string_rest(i + 1, n, eof, &err);
        if (r == STRING_ERROR) FAIL_AT(err);
        if (r < 0) {
          g_is_name = 0;
          PAUSE(-r - 1, STRING);
        }
        i = r;
      } else if (c == '{') {
        i = whitespace(i + 1, n);
        if (i >= n && !eof) goto pause_at_mode;
        if (byte_at(i, n) == '}') i++;
        else {
          if (depth == STACK) return FAILED;
          stack[depth++] = 1;
          at = i;
          mode = NAME;
          NAME_AND_COLON();
          mode = VALUE;
          continue;
        }
      } else if (c == '[') {
        i = whitespace(i + 1, n);
        if (i >= n && !eof) goto pause_at_mode;
        if (byte_at(i, n) == ']') i++;
        else {
          if (depth == STACK) return FAILED;
          stack[depth++] = 0;
          continue;
        }
      } else {
        r = c == 't' ? literal(i, n, "true") : c == 'f' ? literal(i, n, "false") : c == 'n' ? literal(i, n, "null") : number(i, n);
        if (r < 0) FAIL_AT(-1 - r);
        i = r;
        /* A number or literal that reaches the end of the bytes may go on in the next chunk. */
        if (i >= n && !eof) goto pause_at_mode;
      }
    }
    /* After a value: close brackets, or go on to the next element or member. */
    mode = AFTER_VALUE;
    for (;;) {
      if (depth == 0) {
        g_mode = VALUE;
        g_depth = 0;
        return i;
      }
      at = i;
      i = whitespace(i, n);
      int in_object = stack[depth - 1] == 1;
      int d = byte_at(i, n);
      if (d == ',') {
        i++;
        if (in_object) {
          at = i;
          mode = NAME;
          NAME_AND_COLON();
        }
        mode = VALUE;
        break;
      }
      if (d != (in_object ? '}' : ']')) FAIL_AT(i);
      depth--;
      i++;
    }
  }

pause_at_mode:
  g_mode = mode;
  g_keep = at;
  g_depth = depth;
  return PAUSED;
}
