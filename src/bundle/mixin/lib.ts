/**
 * mixin/lib.libsonnet: the jsonnet side of the helpers in ../tunable.ts and ../promql.ts, which
 * the generated expressions call. Each must give the same text as its TypeScript twin.
 */
export const LIB_LIBSONNET = `{
  // A number as JavaScript prints it (jsonnet alone prints 0.85 as 0.84999999999999998):
  // integers plainly, others with the fewest digits that read back as the same number.
  num(x)::
    if x == std.floor(x) && std.abs(x) < 1e15 then std.format('%d', x)
    else [s for s in [std.format('%.' + p + 'g', x) for p in std.range(1, 17)] if std.parseJson(s) == x][0],

  // 14400 -> "4h", 300 -> "5m", 45 -> "45s" (humanSeconds in src/bundle/tunable.ts).
  humanSeconds(s)::
    if s >= 3600 && s % 3600 == 0 then self.num(s / 3600) + 'h'
    else if s >= 60 && s % 60 == 0 then self.num(s / 60) + 'm'
    else self.num(s) + 's',

  // metric{m1, m2} from the non-empty matchers (sel in src/bundle/promql.ts).
  sel(metric, matchers)::
    local ms = [std.stripChars(m, ' \\t\\n\\r') for m in matchers];
    local kept = [m for m in ms if m != ''];
    if std.length(kept) == 0 then metric else metric + '{' + std.join(', ', kept) + '}',
}
`;
