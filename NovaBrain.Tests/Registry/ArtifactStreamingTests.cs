using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Registry;

/// <summary>A large artifact passes through the registry (to its temporary file, then to the parameter service) in bounded memory.</summary>
[TestClass]
public sealed class ArtifactStreamingTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Register_AnArtifactOfHundredsOfMegabytes_StreamsItInBoundedMemory()
    {
        const long size = 256L * 1024 * 1024;
        var system = await RunningSystem.GetAsync();
        var token = await system.AdminTokenAsync();
        using var gateway = system.CreateGatewayClient(token);
        var name = await gateway.CreateModelAsync();
        // Straight to the service (the gateway keeps registry bodies to 32 MiB), with a plain client: the test host's
        // default one gives up after 30 s, which a loaded machine can need for this much data.
        using var registry = new HttpClient { BaseAddress = system.App.GetEndpoint("model-registry", "http"), Timeout = TimeSpan.FromMinutes(5) }
            .WithBearer(token);

        var path = Path.GetTempFileName();
        try
        {
            var digest = await WriteRandomFileAsync(path, size);
            using var service = system.ServiceProcess("model-registry");
            service.Refresh();
            var before = service.WorkingSet64;

            long peak;
            HttpResponseMessage response;
            await using (var file = File.OpenRead(path))
            using (var content = new MultipartFormDataContent())
            using (var sampling = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken))
            {
                content.Add(new StringContent("""{"format":"torchsharp"}""", System.Text.Encoding.UTF8, "application/json"), "metadata");
                var artifact = new StreamContent(file);
                artifact.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Add(artifact, "file", "weights.bin");
                var sampler = ServiceMemory.PeakWorkingSetAsync(service, sampling.Token);
                response = await registry.PostAsync($"{RegistryClient.Models}/{name}/versions", content, TestContext.CancellationToken);
                await sampling.CancelAsync();
                peak = await sampler;
            }

            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
                Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, body);
                var version = JsonSerializer.Deserialize<VersionBody>(body, RegistryClient.Json)!;
                Assert.AreEqual(new ArtifactBody(digest, size), version.Artifact);
            }

            var growth = peak - before;
            TestContext.WriteLine($"model-registry working set: {before / 1048576} MiB before, {peak / 1048576} MiB at most during a {size / 1048576} MiB registration (+{growth / 1048576} MiB)");
            Assert.IsLessThan(100L * 1024 * 1024, growth, $"the registry's working set grew by {growth / 1048576} MiB during a {size / 1048576} MiB registration");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<string> WriteRandomFileAsync(string path, long size)
    {
        var random = new Random(11);
        var buffer = new byte[1024 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = File.Create(path);
        for (var written = 0L; written < size; written += buffer.Length)
        {
            random.NextBytes(buffer);
            hash.AppendData(buffer);
            await file.WriteAsync(buffer);
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
