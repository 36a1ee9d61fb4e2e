import { createRequire } from 'node:module';

// dns2 ships no type declarations; describe just the parts the tests use.
export interface Dns2Packet { header: { rcode: number }; questions: Array<{ name: string; type: number }>; answers: object[] }
export interface Dns2 {
  Packet: { TYPE: Record<'A' | 'AAAA' | 'MX' | 'TXT' | 'CNAME', number>; createResponseFromRequest(req: Dns2Packet): Dns2Packet };
  createServer(o: { udp: true; handle: (req: Dns2Packet, send: (res: Dns2Packet) => void) => void }): {
    listen(o: { udp: { port: number; address: string } }): Promise<{ udp: { port: number } }>;
    close(): Promise<void>;
  };
}

/** The dns2 package (a real DNS server for tests on 127.0.0.1). */
export const dns2 = createRequire(import.meta.url)('dns2') as Dns2;
