/**
 * Which rule format a text is, from its content (never a file name): JSON with an "nftables"
 * array is nft; other JSON is fibscope's JSON; a first meaningful line starting `*TABLE`, `:CHAIN`
 * or `-A` is iptables-save; anything else is fibscope's line format (whose parser then names the
 * first line it cannot read).
 */
export type RulesFormat = 'fibscope' | 'json' | 'iptables' | 'nft';
export const RULES_FORMATS: readonly RulesFormat[] = ['fibscope', 'json', 'iptables', 'nft'];

export function detectRulesFormat(text: string): RulesFormat {
  for (const raw of text.split('\n', 256)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*') || line.startsWith(':') || /^(\[\d+:\d+\]\s+)?-A\s/.test(line)) return 'iptables';
    if (line.startsWith('{') || line.startsWith('[')) return /^\s*\{\s*"nftables"\s*:/.test(text) ? 'nft' : 'json';
    return 'fibscope';
  }
  return 'fibscope';
}
