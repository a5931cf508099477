import { existsSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { makeProject } from './helpers/project.js'

describe('e2e projects never collide', () => {
  // Two runs of the suite side by side ask for the same name; each must get its own folder.
  const first = makeProject('basic', 'same-name')
  const second = makeProject('basic', 'same-name')

  test('the same name gives two live, distinct folders', () => {
    expect(first).not.toBe(second)
    expect(existsSync(first)).toBe(true)
    expect(existsSync(second)).toBe(true)
  })
})
