import fc from 'fast-check'

// Property tests run on random seeds. In CI a failure is reported at once with its seed and
// counterexample instead of being shrunk (shrinking a plan read 1 byte at a time can take many
// minutes, a CI run that looks hung), and no property runs longer than two minutes.
fc.configureGlobal({
  ...(process.env.CI ? { endOnFailure: true } : {}),
  interruptAfterTimeLimit: 120_000,
  markInterruptAsFailure: true,
})
