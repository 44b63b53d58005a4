using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Parameters;

/// <summary>
/// Resumable uploads left alone or raced: the sweeper deletes idle ones (the test system sets
/// <c>Parameters:Uploads:AbandonedAfter</c> to <see cref="AbandonedAfter"/>), and finishing one mid-chunk is a conflict.
/// </summary>
[TestClass]
public sealed class UploadHousekeepingTests
{
    private const string Uploads = "/api/params/v1/uploads";

    /// <summary>As the running system configures the parameter service.</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromSeconds(30);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task FinishUpload_WhileAChunkIsStillBeingWritten_Returns409_AndTheUploadCarriesOn()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var bytes = RandomNumberGenerator.GetBytes(256 * 1024);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        var id = await StartAsync(admin);

        var chunk = new StalledContent(bytes, stallAt: bytes.Length / 2);
        var request = new HttpRequestMessage(HttpMethod.Patch, $"{Uploads}/{id}") { Content = chunk };
        request.Headers.Add("Upload-Offset", "0");
        var appending = admin.SendAsync(request, TestContext.CancellationToken);
        await chunk.Stalled.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.CancellationToken);
        // The first half is on its way; the service has the upload open for appending once it reads it.
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.CancellationToken);

        using (var busy = await admin.PutAsync($"{Uploads}/{id}?digest={digest}", content: null, TestContext.CancellationToken))
        {
            await busy.AssertProblemAsync(HttpStatusCode.Conflict, "upload-busy");
        }

        chunk.Resume.SetResult();
        using (var appended = await appending)
        {
            Assert.AreEqual(bytes.Length, (await appended.ReadAsync<UploadBody>()).Offset);
        }
        using var finished = await admin.PutAsync($"{Uploads}/{id}?digest={digest}", content: null, TestContext.CancellationToken);
        Assert.AreEqual(new BlobBody(digest, bytes.Length), await finished.ReadAsync<BlobBody>());
    }

    [TestMethod]
    public async Task AnUploadIdleLongerThanTheConfiguredAge_IsDeletedByTheSweeper()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var id = await StartAsync(admin);
        var chunk = new ByteArrayContent(RandomNumberGenerator.GetBytes(1024));
        chunk.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var request = new HttpRequestMessage(HttpMethod.Patch, $"{Uploads}/{id}") { Content = chunk };
        request.Headers.Add("Upload-Offset", "0");
        (await admin.SendAsync(request, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var idleSince = DateTimeOffset.UtcNow;

        await Eventually.ReturnsAsync(
            async () => (await admin.GetAsync($"{Uploads}/{id}", TestContext.CancellationToken)).StatusCode,
            status => status == HttpStatusCode.NotFound,
            AbandonedAfter * 3, "the idle upload swept");

        Assert.IsTrue(DateTimeOffset.UtcNow - idleSince >= AbandonedAfter, "not swept before it was idle for the configured age");
    }

    private async Task<Guid> StartAsync(HttpClient admin)
    {
        using var started = await admin.PostAsync(Uploads, content: null, TestContext.CancellationToken);
        return (await started.ReadAsync<UploadBody>()).Id;
    }

    private sealed record UploadBody(Guid Id, long Offset);

    /// <summary>A body that sends its first <c>stallAt</c> bytes, then waits for <see cref="Resume"/> before the rest.</summary>
    private sealed class StalledContent : HttpContent
    {
        private readonly byte[] bytes;
        private readonly int stallAt;

        public StalledContent(byte[] bytes, int stallAt)
        {
            this.bytes = bytes;
            this.stallAt = stallAt;
            Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        }

        public TaskCompletionSource Stalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Resume { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(bytes.AsMemory(0, stallAt));
            await stream.FlushAsync();
            Stalled.SetResult();
            await Resume.Task;
            await stream.WriteAsync(bytes.AsMemory(stallAt));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
