export type FindingStatus = 'ok' | 'warn' | 'missing' | 'error';
/** One thing `listgate doctor` checked: what, how it stands, why, and what to do about it. */
export interface Finding { check: string; status: FindingStatus; explanation: string; fix?: string }

/** Findings as aligned lines for people: status, what was checked, why, and the fix. */
export function formatFindings(findings: Finding[]): string[] {
  return findings.flatMap((f) => [`  ${`[${f.status}]`.padEnd(10)}${f.check}`, `            ${f.explanation}`, ...(f.fix ? [`            fix: ${f.fix}`] : [])]);
}
