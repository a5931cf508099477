import { describe, expect, test } from 'vitest'
import { displayPath, invocationDir } from '../src/display-path.js'

describe('paths printed for the user', () => {
  test('the invocation directory is INIT_CWD when a package manager set it, else the working directory', () => {
    expect(invocationDir({ INIT_CWD: '/repo' }, '/repo/examples/iris')).toBe('/repo')
    expect(invocationDir({}, '/repo/examples/iris')).toBe('/repo/examples/iris')
    expect(invocationDir({ INIT_CWD: 'relative/nonsense' }, '/here')).toBe('/here')
  })

  test('below the invocation directory: relative, so it works pasted where the command was typed', () => {
    // `pnpm tune` at the repository root runs `vitune run` inside each example folder.
    expect(displayPath('/repo/examples/iris/results/index.html', '/repo')).toBe('examples/iris/results/index.html')
    expect(displayPath('/repo/examples/iris/results', '/repo/examples/iris')).toBe('results')
    expect(displayPath('/repo', '/repo')).toBe('.')
  })

  test('elsewhere: absolute', () => {
    expect(displayPath('/tmp/out/index.html', '/repo')).toBe('/tmp/out/index.html')
    expect(displayPath('/repo/a/index.html', '/repo/b')).toBe('/repo/a/index.html')
  })
})
