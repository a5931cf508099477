// gifenc ships CommonJS (Node) and an ES build (bundlers) without types: the part vitune uses.
declare module 'gifenc' {
  /** An RGB (or RGBA) colour as 0-255 channels. */
  export type Color = number[]
  /** Options of one frame. */
  export interface FrameOptions {
    palette?: Color[]
    delay?: number
    repeat?: number
    transparent?: boolean
    transparentIndex?: number
    dispose?: number
  }
  /** A streaming GIF encoder. */
  export interface Encoder {
    writeFrame(index: Uint8Array, width: number, height: number, options?: FrameOptions): void
    finish(): void
    bytes(): Uint8Array
    /** The bytes written so far, as a view into the encoder's buffer. */
    bytesView(): Uint8Array
  }
  /** The functions of the package. */
  export interface GifencApi {
    GIFEncoder(options?: { auto?: boolean; initialCapacity?: number }): Encoder
    quantize(rgba: Uint8Array | Uint8ClampedArray, maxColors: number, options?: { format?: 'rgb565' | 'rgb444' | 'rgba4444' }): Color[]
    nearestColorIndex(palette: Color[], pixel: Color): number
  }
  export const GIFEncoder: GifencApi['GIFEncoder'] | undefined
  const api: GifencApi | GifencApi['GIFEncoder']
  export default api
}
