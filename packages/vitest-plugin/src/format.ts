import { formatNumber } from '@vitune/runtime'

/** A metric value for the terminal: six significant digits (exponent form when huge or tiny), `-` when missing. */
export const formatMetric = (value: number | undefined): string => (value === undefined ? '-' : formatNumber(value, 6))

/** How reports name what stopped every trial of a run at once. */
export const STOP_REASONS = { stopExperiment: '.stopExperiment()', timeBudget: 'the time budget (.timeBudget())' } as const
