// A string that does not keep a larger one alive. In V8 a substring of 13 or more characters
// points into the text it was cut from: a log line read from a file is a slice of a 1 MB chunk,
// and a token is a slice of its line. A cache or a template that keeps such a slice keeps the
// whole chunk, so memory would grow with the input instead of with the number of templates.
// Caches and templates therefore store detached copies (only when they store: misses, new
// templates), which concatenation followed by slicing forces V8 to make.

const SHARED_MIN = 13; // shorter substrings are copied by V8 anyway

export function detached(s: string): string {
  return s.length < SHARED_MIN ? s : (' ' + s).slice(1);
}
