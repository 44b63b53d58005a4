using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;
using NovaBrain.Tests.Registry;

namespace NovaBrain.Tests.Serving;

/// <summary>Replicas of model serving follow each other's deployments: a change made through one is announced on Redis and applied by the others.</summary>
[TestClass]
public sealed class DeploymentReplicasTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ADeploymentCreatedOnOneReplica_IsServedByAnother_AndADeleteRemovesItThereToo()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.FreshTokenAsync();
        using var gateway = system.CreateGatewayClient(token);
        var (model, files) = await gateway.RegisterMlpAsync(1);
        var name = Auth.Accounts.Unique("replicated");

        using var replica = StartSecondReplica(system);
        try
        {
            using var second = new HttpClient { BaseAddress = replica.Address }.WithBearer(token);
            await Eventually.ReturnsAsync(
                async () =>
                {
                    Assert.IsFalse(replica.Process.HasExited, $"the second replica exited: {replica.Output}");
                    try
                    {
                        return (await second.GetAsync("/health/live", TestContext.CancellationToken)).StatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return (HttpStatusCode?)null;
                    }
                },
                status => status == HttpStatusCode.OK, TimeSpan.FromMinutes(2), "the second replica live");

            // Created through the gateway, which reaches the AppHost's replica; the second one loads it by itself.
            await gateway.DeployAsync(name, $"models:/{model}/1", new { batching = new { maxBatchSize = 4 } });
            var followed = await Eventually.ReturnsAsync(
                async () => await second.GetAsync($"{ServingClient.Deployments}/{name}", TestContext.CancellationToken) is { StatusCode: HttpStatusCode.OK } found
                    ? await found.ReadAsync<DeploymentBody>()
                    : null,
                deployment => deployment?.State == "Ready", TimeSpan.FromMinutes(3), $"deployment {name} Ready on the second replica");
            Assert.AreEqual((model, 1), (followed!.Serving!.Model, followed.Serving.Version));

            var rows = ServingModels.RandomRows(2, seed: 43);
            using (var inference = await second.InferJsonAsync(name, rows))
            {
                ServingModels.AssertClose(ServingModels.RunDirectly(files[0], rows), await inference.OutputOfAsync(), "inference on the second replica");
            }

            using (var removed = await gateway.DeleteAsync($"{ServingClient.Deployments}/{name}", TestContext.CancellationToken))
            {
                Assert.AreEqual(HttpStatusCode.NoContent, removed.StatusCode);
            }
            await Eventually.ReturnsAsync(
                async () => (await second.GetAsync($"{ServingClient.Deployments}/{name}", TestContext.CancellationToken)).StatusCode,
                status => status == HttpStatusCode.NotFound, TimeSpan.FromMinutes(1), $"deployment {name} gone from the second replica");
        }
        finally
        {
            replica.Process.Kill(entireProcessTree: true);
            await replica.Process.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Model serving again, as the AppHost runs it (its command line and environment), on ports of its own and with a
    /// model cache of its own.
    /// </summary>
    private static SecondReplica StartSecondReplica(RunningSystem system)
    {
        var first = system.ServiceProcess("model-serving");
        var command = File.ReadAllText($"/proc/{first.Id}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Clear();
        foreach (var variable in File.ReadAllText($"/proc/{first.Id}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = variable.Split('=', 2);
            if (pair[0] is not ("ASPNETCORE_HTTP_PORTS" or "HTTP_PORTS"))
            {
                start.Environment[pair[0]] = pair.Length > 1 ? pair[1] : "";
            }
        }
        var (http, grpc) = (FreePort(), FreePort());
        start.Environment["Kestrel__Endpoints__http__Url"] = $"http://localhost:{http}";
        start.Environment["Kestrel__Endpoints__grpc__Url"] = $"http://localhost:{grpc}";
        start.Environment["ModelServing__Cache__Root"] = Directory.CreateTempSubdirectory("novabrain-replica-cache-").FullName;
        var replica = new SecondReplica(Process.Start(start)!, new Uri($"http://localhost:{http}"));
        replica.Process.OutputDataReceived += (_, line) => replica.Keep(line.Data);
        replica.Process.ErrorDataReceived += (_, line) => replica.Keep(line.Data);
        replica.Process.BeginOutputReadLine();
        replica.Process.BeginErrorReadLine();
        return replica;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record SecondReplica(Process Process, Uri Address) : IDisposable
    {
        private readonly Queue<string> lines = new();

        /// <summary>Its last lines of output, for a failure's message.</summary>
        public string Output
        {
            get
            {
                lock (lines)
                {
                    return string.Join(Environment.NewLine, lines);
                }
            }
        }

        public void Keep(string? line)
        {
            lock (lines)
            {
                lines.Enqueue(line ?? "");
                if (lines.Count > 40)
                {
                    lines.Dequeue();
                }
            }
        }

        public void Dispose() => Process.Dispose();
    }
}
