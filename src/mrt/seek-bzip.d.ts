// seek-bzip 2.0.0 ships no types: what src/routes/read.ts uses of it.
declare module 'seek-bzip' {
  const Bunzip: {
    /** Decompresses a whole bzip2 file; `multistream` reads the streams of a parallel bzip2 one after another. */
    decode(input: Buffer | Uint8Array, output?: Buffer | number, multistream?: boolean): Buffer;
  };
  export default Bunzip;
}
