/**
 * The nginx every device-plane benchmark compares against: `worker_processes auto`, no access
 * log, keep-alive without a request limit, static files answered with `sendfile`, everything it
 * writes under `dir`. `servers` is the `server { … }` blocks of the comparison. Writes
 * `dir/nginx.conf` and answers its path.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function writeNginxConf(dir: string, servers: string): string {
  const temp = join(dir, "nginx-tmp");
  mkdirSync(temp, { recursive: true });
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes auto;
worker_rlimit_nofile 16384;
daemon off;
user root;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${temp}/body; proxy_temp_path ${temp}/proxy; fastcgi_temp_path ${temp}/fcgi;
  uwsgi_temp_path ${temp}/uwsgi; scgi_temp_path ${temp}/scgi;
  keepalive_requests 1000000;
  default_type text/xml;
  sendfile on;
${servers}
}
`,
  );
  return conf;
}
