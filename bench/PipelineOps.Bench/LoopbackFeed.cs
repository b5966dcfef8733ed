using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace PipelineOps.Bench;

/// <summary>
/// The collect benchmark's WebSocket server, run as a child process so the parent's CPU time is the collector's alone:
/// a minimal RFC 6455 handshake on 127.0.0.1 (agreeing to permessage-deflate when offered), then N market-data records
/// as fast as the client takes them, then a close. It prints its port, and for each connection the bytes it wrote.
/// </summary>
internal static class LoopbackFeed
{
    public const string ChildCommand = "feed-server";

    public static int Child(string[] args)
    {
        var records = int.Parse(args[0], CultureInfo.InvariantCulture);
        var messages = Enumerable.Range(1, records).Select(i => Encoding.UTF8.GetBytes(Record(i))).ToArray();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Console.WriteLine($"port {((IPEndPoint)listener.LocalEndpoint).Port}");
        while (true)
        {
            using var client = listener.AcceptTcpClient();
            client.NoDelay = true;
            var stream = new CountingStream(client.GetStream());
            Serve(stream, messages).GetAwaiter().GetResult();
            Console.WriteLine($"bytes {stream.Written}");
        }
    }

    private static async Task Serve(CountingStream stream, byte[][] messages)
    {
        var request = ReadHeaders(stream);
        var key = Header(request, "Sec-WebSocket-Key");
        var deflate = Header(request, "Sec-WebSocket-Extensions")?.Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase) == true;
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        var response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Accept: {accept}\r\n" + (deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "") + "\r\n";
        stream.Write(Encoding.ASCII.GetBytes(response));
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            DangerousDeflateOptions = deflate ? new WebSocketDeflateOptions() : null,
        });
        var reading = Drain(socket);
        try
        {
            foreach (var message in messages)
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
            }

            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            await reading;
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
        }
    }

    private static async Task Drain(WebSocket socket)
    {
        var buffer = new byte[4096];
        try
        {
            while ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
        }
    }

    private static List<string> ReadHeaders(Stream stream)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        while (true)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                throw new IOException("the client went away during the handshake");
            }

            if (b == '\n')
            {
                var text = line.ToString().TrimEnd('\r');
                if (text.Length == 0)
                {
                    return lines;
                }

                lines.Add(text);
                line.Clear();
            }
            else
            {
                line.Append((char)b);
            }
        }
    }

    private static string? Header(List<string> lines, string name) =>
        lines.Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).Select(l => l[(name.Length + 1)..].Trim()).FirstOrDefault();

    /// <summary>A Coinbase-style l2update, as the demo feed makes them.</summary>
    private static string Record(int i) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"type\":\"l2update\",\"product_id\":\"{((i % 4) switch { 0 => "BTC-USD", 1 => "ETH-USD", 2 => "SOL-USD", _ => "DOGE-USD" })}\",\"changes\":[[\"{(i % 2 == 0 ? "buy" : "sell")}\",\"{42000 + (i * 7919 % 2000) / 100.0:0.00}\",\"{(i * 104729 % 200000000) / 1e8:0.00000000}\"]],\"time\":\"2026-01-02T03:{i / 60000 % 60:00}:{i / 1000 % 60:00}.{i % 1000:000}000Z\",\"sequence\":{1_000_000 + i}}}");

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Written { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Written += count;
            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written += buffer.Length;
            return inner.WriteAsync(buffer, cancellationToken);
        }
    }
}
