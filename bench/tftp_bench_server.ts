/**
 * Provisio's TFTP server as its own process for bench/tftp_vs_peers.ts (so the bench's
 * process management does not share its event loop). Prints "PORT <n>" when ready; on
 * SIGTERM prints "STATS <json>" (transfers, incomplete, retransmits) and exits.
 *
 *   npx tsx bench/tftp_bench_server.ts <root>   (env: TFTP_IO, TFTP_ADMISSION, TFTP_MIN_ACTIVE)
 */
import { staticRootResolver, TftpServer } from "../src/tftp/index.ts";

const root = process.argv[2] ?? ".bench-out/tftp-root";
const server = new TftpServer({
  port: 0,
  address: "127.0.0.1",
  resolver: staticRootResolver(root),
  maxTransfers: 1024,
  maxTransfersPerClient: 512,
  // Every bench client shares 127.0.0.1 and starts at once.
  maxUnverifiedPerClient: 512,
  // Knobs for before/after figures: TFTP_IO=dgram (node:dgram instead of the native
  // endpoint), TFTP_ADMISSION=0 (every transfer starts at once).
  ...(process.env.TFTP_IO ? { io: process.env.TFTP_IO as "dgram" | "native" } : {}),
  ...(process.env.TFTP_ADMISSION === "0" ? { admission: false as const } : {}),
  ...(process.env.TFTP_MIN_ACTIVE
    ? { admission: { minActive: Number(process.env.TFTP_MIN_ACTIVE) } }
    : {}),
});
const stats = { transfers: 0, incomplete: 0, retransmits: 0, timeouts: 0 };
server.on("transferEnd", (s) => {
  stats.transfers++;
  if (s.outcome !== "complete") stats.incomplete++;
  stats.retransmits += s.retransmits;
  stats.timeouts += s.timeouts;
});
const { port } = await server.listen();
process.stdout.write(`PORT ${port}\n`);
process.on("SIGTERM", () => {
  process.stdout.write(`STATS ${JSON.stringify(stats)}\n`);
  server.close().then(() => process.exit(0));
});
