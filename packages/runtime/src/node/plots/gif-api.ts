/// <reference path="./gifenc.d.ts" />
import type { GifencApi } from 'gifenc'
import * as gifencModule from 'gifenc'

/**
 * gifenc's functions, however the package was loaded: Node imports its CommonJS build (everything
 * on `default`), Vite and other bundlers its ES build (named exports, `default` is the encoder).
 */
export const gifenc: GifencApi = (typeof gifencModule.GIFEncoder === 'function' ? gifencModule : gifencModule.default) as GifencApi
