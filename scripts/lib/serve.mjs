// A static file server for the app (sirv): serves the project root with the
// right MIME types (application/wasm included) and no caching, on the first
// free port from the one asked for.
import http from 'node:http';
import sirv from 'sirv';

export function serve(dir, { port = 8080, host = '127.0.0.1', tries = 20, prefix = '' } = {}) {
  const files = sirv(dir, { dev: true, etag: true });
  const handler = (req, res) => {
    if (prefix) {
      if (!req.url.startsWith(prefix)) {
        res.statusCode = 404;
        res.end('not found');
        return;
      }
      req.url = req.url.slice(prefix.length - 1) || '/';
    }
    files(req, res, () => {
      res.statusCode = 404;
      res.end('not found');
    });
  };
  return new Promise((resolve, reject) => {
    const attempt = (p, left) => {
      const server = http.createServer(handler);
      server.once('error', (e) => {
        if (e.code === 'EADDRINUSE' && left > 0 && p !== 0) attempt(p + 1, left - 1);
        else reject(e);
      });
      server.listen(p, host, () => resolve({ server, port: server.address().port, url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${server.address().port}${prefix || '/'}` }));
    };
    attempt(port, tries);
  });
}
