import fc from 'fast-check'

// Random damage to JSON text, for the property tests that compare a reader's refusals with
// JSON.parse's, and the chunk sizes those readers are fed in (every boundary falls everywhere).

/** One character inserted (or, with `replace`, put in place of the one) at `at` modulo the text's length. */
export const damage = (text: string, at: number, c: string, replace: number): string => {
  const i = at % (text.length + 1)
  return text.slice(0, i) + c + text.slice(i + replace)
}

/** What is inserted: JSON's structural characters, escapes, control characters, literals' starts, UTF-8. */
export const DAMAGE = ['', '"', '\\', '{', '}', '[', ']', ',', ':', '\u0001', '\n', 'x', '0', '-', '.', 'e', 't', 'n', '\\u12', ' ', 'é']

/** The texts of `texts`, each damaged once somewhere. */
export const damaged = (texts: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(texts, fc.nat(), fc.constantFrom(...DAMAGE), fc.constantFrom(0, 1)).map(([t, at, c, r]) => damage(t, at, c, r))

/** Chunk sizes: tiny (every boundary everywhere), small, and the readers' default. */
export const chunkSize = fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 17, max: 300 }), fc.constant(1 << 20))
