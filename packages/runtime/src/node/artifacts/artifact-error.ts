import { VituneError } from '@vitune/dsl'

/** Stable codes of errors raised while writing artifacts or drawing plots. */
export type ArtifactErrorCode = 'VITUNE_ARTIFACT_NAME' | 'VITUNE_ARTIFACT_DIR' | 'VITUNE_ARTIFACT_OTHER_FILES' | 'VITUNE_PLOT_KEY' | 'VITUNE_PLOT_OPTIONS'

/** An error raised while writing an experiment's artifacts or plots; the message names the experiment or file. */
export class ArtifactError extends VituneError {
  declare readonly code: ArtifactErrorCode
  constructor(code: ArtifactErrorCode, message: string, options?: ErrorOptions) {
    super(code, `[${code}] ${message}`, options)
    this.name = 'ArtifactError'
  }
}
