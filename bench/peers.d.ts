declare module 'longest-prefix-match' {
  export default class LongestPrefixMatch {
    addPrefix(prefix: string, data: unknown): void;
    getMatch(prefix: string, all?: boolean): unknown[];
  }
}
