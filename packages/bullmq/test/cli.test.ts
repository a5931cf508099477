// `vitune worker`: its arguments, its help, and the bin's message when @vitune/bullmq is missing.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parseWorkerArgs } from '../src/index.js'
import { redisInstallPlan } from './helpers/redis-server.js'

const bin = join(import.meta.dirname, '..', '..', 'vitest-plugin', 'bin', 'vitune.mjs')

describe('vitune worker arguments', () => {
  test('flags become worker options; --redis falls back to VITUNE_REDIS_URL', () => {
    expect(parseWorkerArgs(['--redis', 'redis://h:1', '--concurrency', '3', '--threads', '1', '--queue', 'q', '--park-after', '250'], {})).toEqual({
      redis: 'redis://h:1',
      concurrency: 3,
      threads: 1,
      queue: 'q',
      parkAfterMs: 250,
    })
    expect(parseWorkerArgs([], { VITUNE_REDIS_URL: 'redis://env:6379' })).toEqual({ redis: 'redis://env:6379' })
    expect(parseWorkerArgs(['-h'], {})).toBe('help')
  })

  test('mistakes are VITUNE_WORKER_OPTIONS errors that say what to write', () => {
    expect(() => parseWorkerArgs([], {})).toThrow(/\[VITUNE_WORKER_OPTIONS\] vitune worker needs the Redis server .* --redis redis:\/\/host:6379/)
    expect(() => parseWorkerArgs(['--redis', 'redis://h', '--concurrency', 'two'], {})).toThrow(/--concurrency two: expected a positive whole number/)
    expect(() => parseWorkerArgs(['--redis', 'redis://h', '--workers', '2'], {})).toThrow(/\[VITUNE_WORKER_OPTIONS\] vitune worker: Unknown option '--workers'/)
  })

  test('vitune worker --help prints its usage; a bad URL exits with 2 and the setting named', () => {
    const help = spawnSync(process.execPath, [bin, 'worker', '--help'], { encoding: 'utf8' })
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('vitune worker --redis redis://host:6379 [options]')
    const bad = spawnSync(process.execPath, [bin, 'worker', '--redis', 'localhost:6379'], { encoding: 'utf8' })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('[VITUNE_REDIS_URL] vitune worker --redis: "localhost:6379" is not a Redis URL')
  })

  test('without @vitune/bullmq, vitune worker says how to install it', () => {
    // A copy of the bin outside the workspace, where neither the project nor the bin can find @vitune/bullmq.
    const dir = mkdtempSync(join(tmpdir(), 'vitune-no-bullmq-'))
    try {
      mkdirSync(join(dir, 'bin'))
      copyFileSync(bin, join(dir, 'bin', 'vitune.mjs'))
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'vitune-copy', version: '0.0.0', type: 'module' }))
      // pnpm's bin shims put the workspace's packages on NODE_PATH; a user's project has no such path.
      const env = { ...process.env, NODE_PATH: '' }
      const out = spawnSync(process.execPath, [join(dir, 'bin', 'vitune.mjs'), 'worker', '--redis', 'redis://h:1'], { cwd: dir, encoding: 'utf8', env })
      expect(out.status).toBe(1)
      expect(out.stderr).toContain('needs @vitune/bullmq, which is not installed here')
      expect(out.stderr).toContain('npm install @vitune/bullmq')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('redis-server for the tests', () => {
  test('found: used; missing as root with apt-get: installed; otherwise: a message that says how', () => {
    expect(redisInstallPlan({ found: '/usr/bin/redis-server', uid: 1000, aptGet: false })).toEqual({ action: 'ready', path: '/usr/bin/redis-server' })
    expect(redisInstallPlan({ found: undefined, uid: 0, aptGet: true })).toEqual({ action: 'install' })
    const notRoot = redisInstallPlan({ found: undefined, uid: 1000, aptGet: true })
    expect(notRoot.action === 'refuse' && notRoot.message).toMatch(/needs root .*sudo apt-get install redis-server.*VITUNE_REDIS_SERVER/)
    const noApt = redisInstallPlan({ found: undefined, uid: 0, aptGet: false })
    expect(noApt.action === 'refuse' && noApt.message).toMatch(/no apt-get .*brew install redis/)
  })
})
