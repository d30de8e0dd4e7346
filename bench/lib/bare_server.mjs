// Reference servers for bench/server_http.ts: what the runtime alone costs a warm request.
// Not servers to use: GET of a path only, no limits, no timeouts, no bodies.
//
//   node bench/lib/bare_server.mjs http|net|https PORT DIR [CERT KEY]
//
// Each answers from memory the files of DIR/profile (as /profile/<name>) with the headers
// Provisio's warm answer has; `http` is bare `node:http`, `https` bare `node:https` with the
// PEM certificate and key given, `net` splits the request line of each request by hand and
// writes one prebuilt buffer (head and body) per answer.
import { readdirSync, readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer } from "node:net";
import { join } from "node:path";

const [kind, port, dir, cert, key] = process.argv.slice(2);
const lastModified = new Date().toUTCString();
const files = new Map();
for (const name of readdirSync(join(dir, "profile"))) {
  files.set(`/profile/${name}`, readFileSync(join(dir, "profile", name)));
}
const headers = (body) => [
  "content-type",
  "text/xml; charset=utf-8",
  "etag",
  '"0123456789abcdef0123456789abcdef"',
  "last-modified",
  lastModified,
  "cache-control",
  "no-cache",
  "content-length",
  String(body.length),
];

let server;
if (kind === "http" || kind === "https") {
  const answers = new Map([...files].map(([path, body]) => [path, [headers(body), body]]));
  const options = { noDelay: true, keepAliveTimeout: 60_000 };
  const create =
    kind === "http"
      ? (listener) => createHttpServer(options, listener)
      : (listener) =>
          createHttpsServer(
            { ...options, cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") },
            listener,
          );
  server = create((req, res) => {
    const answer = answers.get(req.url);
    if (answer === undefined) {
      res.writeHead(404, ["content-length", "0"]);
      res.end();
      return;
    }
    res.writeHead(200, answer[0]);
    res.end(answer[1]);
  });
} else {
  const answers = new Map();
  for (const [path, body] of files) {
    const h = headers(body);
    let head = "HTTP/1.1 200 OK\r\n";
    for (let i = 0; i < h.length; i += 2) head += `${h[i]}: ${h[i + 1]}\r\n`;
    head += `date: ${lastModified}\r\nconnection: keep-alive\r\n\r\n`;
    answers.set(path, Buffer.concat([Buffer.from(head, "latin1"), body]));
  }
  const notFound = Buffer.from("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n", "latin1");
  server = createNetServer({ noDelay: true }, (socket) => {
    let pending = "";
    socket.setEncoding("latin1");
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      pending += chunk;
      const out = [];
      for (let end = pending.indexOf("\r\n\r\n"); end >= 0; end = pending.indexOf("\r\n\r\n")) {
        const line = pending.slice(0, pending.indexOf("\r\n"));
        pending = pending.slice(end + 4);
        const from = line.indexOf(" ") + 1;
        out.push(answers.get(line.slice(from, line.indexOf(" ", from))) ?? notFound);
      }
      if (out.length === 1) socket.write(out[0]);
      else if (out.length > 1) socket.write(Buffer.concat(out));
    });
  });
}
server.listen(Number(port), "127.0.0.1", () => process.send?.("listening"));
process.on("SIGTERM", () => process.exit(0));
