using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace PipelineOps.Collection.Sources;

/// <summary>
/// A WebSocket feed: connects, sends the subscribe messages, and hands on every text message. It reconnects forever
/// with capped exponential backoff and jitter: after a close, an error, or no message for the stall timeout.
/// </summary>
public sealed class WebSocketSource(Uri uri, IReadOnlyList<string> subscribe, TimeSpan stallTimeout, TimeSpan maxBackoff) : IRecordSource
{
    private const int MaxMessageBytes = 16 << 20;

    public string Description => uri.ToString();

    public async Task RunAsync(SourceContext context, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), maxBackoff);
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!first)
            {
                context.Reconnected();
            }

            first = false;
            try
            {
                await ReceiveAsync(context, backoff, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or InvalidDataException or System.Net.Http.HttpRequestException)
            {
                context.Error($"{uri}: {(e is OperationCanceledException ? $"no message for {stallTimeout.TotalSeconds:0} s (stalled)" : e.Message)}; reconnecting");
            }

            try
            {
                await Task.Delay(backoff.Next(), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReceiveAsync(SourceContext context, Backoff backoff, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connect.CancelAfter(stallTimeout);
            await socket.ConnectAsync(uri, connect.Token);
        }

        foreach (var request in subscribe)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(request), WebSocketMessageType.Text, true, cancellationToken);
        }

        var buffer = new byte[64 * 1024];
        var message = new ArrayBufferWriter<byte>();
        while (true)
        {
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            stall.CancelAfter(stallTimeout);
            var result = await socket.ReceiveAsync(buffer, stall.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new IOException($"the server closed the connection ({result.CloseStatus} {result.CloseStatusDescription})");
            }

            if (message.WrittenCount + result.Count > MaxMessageBytes)
            {
                throw new InvalidDataException($"a message over {MaxMessageBytes} bytes");
            }

            message.Write(buffer.AsSpan(0, result.Count));
            if (!result.EndOfMessage)
            {
                continue;
            }

            if (result.MessageType == WebSocketMessageType.Text)
            {
                await context.EmitAsync(message.WrittenMemory.ToArray(), cancellationToken);
                backoff.Reset();
            }

            message.ResetWrittenCount();
        }
    }
}
