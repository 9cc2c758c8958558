import { createServer } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

/**
 * A CONNECT proxy stand-in: records where each client asked to connect (`host:port`) and tunnels
 * every connection to `target`, so hosts that do not resolve (`api.github.test`) reach the local
 * stand-in only through it.
 */
export async function startConnectProxy(target: URL) {
  const connects: string[] = []
  const server = createServer()
  server.on('connect', (req: { url?: string }, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '')
    const upstream = connect(Number(target.port), target.hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, connects, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
