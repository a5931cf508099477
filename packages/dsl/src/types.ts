import type { ChoiceDomain, Domain, FloatDomain, GridDomain, IntegerDomain, NormalDomain, RandomDomain, SampleFromDomain } from './domains.js'

/** A JSON-like leaf value a config may hold. */
export type Primitive = string | number | boolean | null

/** What `space()` accepts: constants, domains and nested objects of them. */
export type SpaceSpec = { readonly [key: string]: SpaceValue }
/** One entry of a space. */
export type SpaceValue = Primitive | Domain | readonly unknown[] | SpaceSpec

/** A resolved trial config. */
export type Config = { readonly [key: string]: unknown }

/** Flattens intersections so hover types stay readable. */
export type Prettify<T> = { [K in keyof T]: T[K] } & {}

/** The widened type of a constant: `0.05` is a `number`, `'adam'` a `string`. */
type Widen<T> = T extends number ? number : T extends string ? string : T extends boolean ? boolean : T

/**
 * The value type a space entry resolves to. Grid values widen (`grid([0, 1])` is a `number`), so
 * that PBT may move them off the grid; `choice` keeps its literals (`'a' | 'b'`); lists and nested
 * objects keep their shape.
 */
export type InferValue<V> =
  V extends GridDomain<infer T>
    ? InferValue<T>
    : V extends ChoiceDomain<infer T>
      ? T
      : V extends SampleFromDomain<infer T>
        ? T extends Domain
          ? InferValue<T>
          : T
        : V extends Domain
          ? number
          : V extends readonly unknown[]
            ? { -readonly [I in keyof V]: InferValue<V[I]> }
            : V extends SpaceSpec
              ? InferConfig<V>
              : Widen<V>

/** The config type a space produces: what the trainable receives as `config`. */
export type InferConfig<S> = Prettify<{ -readonly [K in keyof S]: InferValue<S[K]> }>

/** What `mutate()` accepts for one key: a random domain, a list of values, a function, or a nested spec. */
export type MutationValue = RandomDomain | readonly unknown[] | (() => unknown) | MutationSpecShape
/** Shape of a mutations object. */
export type MutationSpecShape = { readonly [key: string]: MutationValue }

/** A categorical mutation: PBT resamples it or shifts it to a neighbouring value. */
export type CategoricalMutation<T> = ChoiceDomain<T> | readonly T[] | (() => T)
/** A continuous mutation of a number: PBT resamples it or multiplies it by a perturbation factor. */
export type NumericMutation = FloatDomain | NormalDomain | IntegerDomain | CategoricalMutation<number>

/**
 * A mutation for a key whose config value has type `T`: any numeric mutation for a `number`,
 * values of `T` for literal unions (`'a' | 'b'`, `1 | 2`), booleans, strings and lists, a nested
 * spec for a nested object; anything for a key of unknown type. Checked as a whole, so
 * `['a', 'b']` fits `'a' | 'b'`.
 */
export type MutationFor<T> = unknown extends T
  ? MutationValue
  : [T] extends [number]
    ? number extends T
      ? NumericMutation
      : CategoricalMutation<T>
    : [T] extends [readonly unknown[]]
      ? CategoricalMutation<T>
      : [T] extends [Config]
        ? { readonly [K in keyof T]?: MutationFor<T[K]> }
        : CategoricalMutation<T>

/** Mutations for config `C`: known keys must match their type; other keys are checked by `KnownMutationKeys`. */
export type MutationSpec<C> = { readonly [K in keyof C]?: MutationFor<C[K]> } & MutationSpecShape

/** The type error a mutation key the space lacks gets: it names the key and says how to add it on purpose. */
export type UnknownMutationKey<P> =
  `\`${P & string}\` is not a key of .space(): fix the name, or add it on purpose with .mutate(spec, { newKeys: ['${P & string}'] })`
/** The type error a nested mutation key the space lacks gets. */
export type UnknownNestedMutationKey<P> = `\`${P & string}\` is not a key of this nested object of .space()`

/** A mutation value that is a nested spec (not a domain, list or function). */
type NestedMutation<V> = V extends RandomDomain | readonly unknown[] | ((...args: never[]) => unknown) ? never : V extends object ? V : never

/**
 * Mutations `X` with every key checked against config `C`: a key `C` lacks becomes a message type,
 * so a typo (`lrr` for `lr`) is a type error, except for top-level keys listed in `N` (`newKeys`).
 * Nested keys must exist too: Ray fills only missing top-level keys.
 */
export type KnownMutationKeys<X, C, N extends PropertyKey = never> = {
  [P in keyof X]: P extends keyof C ? KnownValue<X[P], C[P]> : P extends N ? X[P] : UnknownMutationKey<P>
}
type KnownNestedKeys<X, C> = { [P in keyof X]: P extends keyof C ? KnownValue<X[P], C[P]> : UnknownNestedMutationKey<P> }
type KnownValue<V, T> = [NestedMutation<V>] extends [never] ? V : T extends Config ? KnownNestedKeys<V, T> : V

/** Options of `mutate()`. */
export interface MutateOptions<N extends string = string> {
  /**
   * Top-level keys the space lacks that the mutations may add (Ray's behaviour for any missing key):
   * each trial draws them from their mutation at its start. Without this, a key the space lacks is
   * an error, so a typo never mutates a phantom key.
   */
  readonly newKeys?: readonly N[]
}

/** The value type one mutation produces, for keys the space lacks. */
export type InferMutationValue<V> = V extends () => infer T
  ? T
  : V extends ChoiceDomain<infer T>
    ? T
    : V extends RandomDomain
      ? number
      : V extends readonly (infer T)[]
        ? T
        : V extends MutationSpecShape
          ? InferMutationConfig<V>
          : unknown

/** Value types of mutation keys the space lacks, added to the config. */
export type InferMutationConfig<X> = { -readonly [K in keyof X]: InferMutationValue<X[K]> }

/** The config after `mutate(X)`: the space's config plus the keys only the mutations name (its `newKeys`). */
export type WithMutations<C, X> = Prettify<C & InferMutationConfig<Omit<X, keyof C>>>

/** Metrics a trainable reports: names to values. */
export type Metrics = { readonly [key: string]: unknown }

/** Metric names whose values are numbers. */
export type NumericKeys<M> = { [K in keyof M]-?: M[K] extends number ? K : never }[keyof M] & string

/**
 * What `metric()` accepts: the numeric names the trainable reports once `.train()` has told
 * TypeScript what they are (plus the auto-filled fields), any name before that.
 */
export type MetricName<M> = string extends keyof M ? string : NumericKeys<M> | AutoResultKey

/**
 * The result keys named before `.train()` (`P`) plus `N`: while the metrics are unknown (`M` has a
 * string index), names are remembered for `.train()` to check; afterwards they were checked already.
 */
export type Pending<M, P extends string, N extends string> = string extends keyof M ? P | N : P

/** Names in `P` the trainable's metrics `R` lack as numbers. */
export type UnreportedNames<P extends string, R> = Exclude<P, MetricName<R>>

/**
 * What `.train()` requires of the trainable beyond its type: nothing when it reports every name in
 * `P` as a number; otherwise a property named by the message, which no function has, so the call
 * is a type error that says which name is missing.
 */
export type ReportsPending<P extends string, R> = [UnreportedNames<P, R>] extends [never]
  ? unknown
  : { readonly [N in UnreportedNames<P, R> as `the trainable never reports a number \`${N}\`, named in .metric() or .stop()`]: true }

/** `'max'`: higher is better; `'min'`: lower is better. */
export type Mode = 'min' | 'max'

/** Rejects keys of `S` outside `Known`: generic arguments get no excess-property check of their own. */
export type OnlyKnownKeys<S, Known extends PropertyKey> = { readonly [X in Exclude<keyof S, Known>]: never }

/** Ray's stop object: a trial stops once any listed result key reaches its value. */
export type StopCriteria<M> = Partial<Record<MetricName<M>, number>>

/** Result fields the runtime fills in for every report. */
export type AutoResultKey = 'trainingIteration' | 'timeTotalS' | 'iterationsSinceRestore'

/** Branded wrapper for a report that carries a checkpoint; build it with `withCheckpoint`. */
export interface CheckpointedReport<M, K> {
  readonly $report: true
  readonly metrics: M
  readonly checkpoint: K
}

/** One item a generator trainable yields: metrics, or metrics with a checkpoint. */
export type ReportItem<M, K> = M | CheckpointedReport<M, K>

/** Options of `report()` in the Ray-style trainable. */
export interface ReportOptions<K> {
  /** State to resume from: any structured-cloneable value. The runtime stores a copy. */
  readonly checkpoint?: K
}

/** What a trainable receives. */
export interface TrainContext<C, K = unknown> {
  /** The trial's current config; after an exploit, the explored config. */
  readonly config: C
  /** The checkpoint to resume from: the trial's own after a retry, the donor's after an exploit. */
  readonly checkpoint: K | undefined
  /** The trial's id, stable across exploits and retries. */
  readonly trialId: string
  /** A seeded random stream for this trial, in [0, 1). Use it instead of `Math.random`. */
  readonly random: () => number
  /** Aborted when the run is cancelled; long steps should check it. */
  readonly signal: AbortSignal
  /**
   * Ray-style reporting: resolves when the runtime wants the next result. Use either `report` or
   * `yield`, not both.
   */
  readonly report: (metrics: Metrics, options?: ReportOptions<K>) => Promise<void>
}

/** A trainable as an async or sync generator of reports. */
export type GeneratorTrainable<C, M, K> = (context: TrainContext<C, K>) => AsyncIterable<ReportItem<M, K>> | Iterable<ReportItem<M, K>>
/** A trainable in Ray's function form: calls `context.report(...)` and returns when done. */
export type ReportingTrainable<C, K> = (context: TrainContext<C, K>) => Promise<void>
/** A trainable: a function of its config and restored checkpoint that reports results. */
export type Trainable<C, M, K> = GeneratorTrainable<C, M, K> | ReportingTrainable<C, K>
