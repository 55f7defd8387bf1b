import { describe, expect, it } from 'vitest';
import { startChildService } from '../../src/dev/child-service.ts';

const JWT = 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1LTEiLCJyb29tIjoiciJ9.c2lnbmF0dXJlLWJ5dGVz';
const API_KEY = `rgk_${'A'.repeat(43)}`;

describe('startChildService relays child output with credentials redacted', () => {
  it("serverless-offline's route line with a token and an API key in the path, on stdout and stderr, and in the tail", async () => {
    const lines: string[] = [];
    const script = `console.log(${JSON.stringify(`ANY /v1/${JWT}/${API_KEY} (λ: api)`)}); console.error(${JSON.stringify(`stack: token=${JWT}`)});`;
    const child = startChildService({
      command: process.execPath,
      args: ['-e', script],
      cwd: process.cwd(),
      env: process.env,
      onLine: (line) => lines.push(line),
    });
    await child.exited;
    expect(lines).toHaveLength(2);
    const text = [...lines, ...child.tail()].join('\n');
    expect(text).not.toContain(JWT.split('.')[2]);
    expect(text).not.toContain(API_KEY);
    expect(lines.find((line) => line.startsWith('ANY '))).toMatch(/^ANY \/v1\/\[jwt sha256:[0-9a-f]{12}\]\/\[redacted api key\] \(λ: api\)$/);
  });
});
