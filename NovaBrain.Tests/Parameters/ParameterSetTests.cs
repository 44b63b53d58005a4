using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Parameters;

/// <summary>Named, versioned parameter sets and their <c>current</c> pointer, through the gateway, on the running system.</summary>
[TestClass]
public sealed class ParameterSetTests
{
    private const string Sets = "/api/params/v1/sets";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task CreateVersions_AreNumberedFromOne_TheFirstIsCurrent_AndTagsChangeWithoutTheContent()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("set");
        var blob = await StoreBlobAsync(admin);

        var first = await CreateVersionAsync(admin, name, blob, tags: new() { ["team"] = "vision" }, description: "first cut");
        var second = await CreateVersionAsync(admin, name, blob, sourceVersion: 1);
        var third = await CreateVersionAsync(admin, name, blob, format: "torchscript");

        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, new[] { first.Version, second.Version, third.Version });
        Assert.AreEqual(blob.Digest, first.Blob);
        Assert.AreEqual(blob.Size, first.Size);
        Assert.AreEqual("other", first.Format);
        Assert.AreEqual("first cut", first.Description);
        Assert.AreEqual("vision", first.Tags["team"]);
        Assert.AreEqual(1, second.SourceVersion);
        Assert.AreEqual(AdminIdOf(await system.AdminTokenAsync()), first.CreatedBy);

        var set = await admin.GetFromJsonAsync<SetBody>($"{Sets}/{name}", TestContext.CancellationToken);
        Assert.AreEqual((1, 3), (set!.Current, set.Latest));
        Assert.AreEqual(1, (await admin.GetFromJsonAsync<VersionBody>($"{Sets}/{name}/current", TestContext.CancellationToken))!.Version);
        var versions = await admin.GetFromJsonAsync<PageBody<VersionBody>>($"{Sets}/{name}/versions?limit=2", TestContext.CancellationToken);
        CollectionAssert.AreEqual(new[] { 1, 2 }, versions!.Items.Select(v => v.Version).ToArray());
        Assert.AreEqual("2", versions.Next);
        var rest = await admin.GetFromJsonAsync<PageBody<VersionBody>>($"{Sets}/{name}/versions?after=2", TestContext.CancellationToken);
        CollectionAssert.AreEqual(new[] { 3 }, rest!.Items.Select(v => v.Version).ToArray());
        Assert.IsNull(rest.Next);

        var listed = await admin.GetFromJsonAsync<PageBody<SetSummaryBody>>($"{Sets}?limit=1000", TestContext.CancellationToken);
        Assert.AreEqual(new SetSummaryBody(name, 1), listed!.Items.Single(s => s.Name == name));

        using var tagged = await admin.PutAsJsonAsync($"{Sets}/{name}/versions/1/tags", new Dictionary<string, string> { ["stage"] = "candidate" }, TestContext.CancellationToken);
        var retagged = await tagged.ReadAsync<VersionBody>();
        Assert.AreEqual("candidate", retagged.Tags["stage"]);
        Assert.IsFalse(retagged.Tags.ContainsKey("team"), "tags are replaced as a whole");
        var reread = await admin.GetFromJsonAsync<VersionBody>($"{Sets}/{name}/versions/1", TestContext.CancellationToken);
        Assert.AreEqual(first with { Tags = retagged.Tags }, reread! with { CreatedAt = first.CreatedAt });
    }

    [TestMethod]
    public async Task MoveCurrent_ThenRollBack_ReturnsToThePreviousVersion_AndHistoryKeepsEveryMove()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var adminId = AdminIdOf(await system.AdminTokenAsync());
        var name = Accounts.Unique("set");
        var blob = await StoreBlobAsync(admin);
        for (var i = 0; i < 3; i++)
        {
            await CreateVersionAsync(admin, name, blob);
        }

        using var nothing = await admin.PostAsync($"{Sets}/{name}/rollback", content: null, TestContext.CancellationToken);
        await AssertProblemAsync(nothing, HttpStatusCode.Conflict, "nothing-to-roll-back");

        using var moved = await admin.PutAsJsonAsync($"{Sets}/{name}/current", new { version = 3, reason = "try v3" }, TestContext.CancellationToken);
        Assert.AreEqual(new MoveBody(name, 1, 3, "moved", "try v3", adminId), await moved.ReadAsync<MoveBody>());
        using var again = await admin.PutAsJsonAsync($"{Sets}/{name}/current", new { version = 3 }, TestContext.CancellationToken);
        await AssertProblemAsync(again, HttpStatusCode.Conflict, "already-current");
        using var missing = await admin.PutAsJsonAsync($"{Sets}/{name}/current", new { version = 9 }, TestContext.CancellationToken);
        await AssertProblemAsync(missing, HttpStatusCode.BadRequest, "version-not-found");

        using var rolledBack = await admin.PostAsync($"{Sets}/{name}/rollback", content: null, TestContext.CancellationToken);
        Assert.AreEqual(new MoveBody(name, 3, 1, "rolled-back", null, adminId), await rolledBack.ReadAsync<MoveBody>());
        Assert.AreEqual(1, (await admin.GetFromJsonAsync<VersionBody>($"{Sets}/{name}/current", TestContext.CancellationToken))!.Version);

        using var explicitly = await admin.PostAsJsonAsync($"{Sets}/{name}/rollback", new { version = 2, reason = "v1 regressed" }, TestContext.CancellationToken);
        Assert.AreEqual(new MoveBody(name, 1, 2, "rolled-back", "v1 regressed", adminId), await explicitly.ReadAsync<MoveBody>());
        Assert.AreEqual(2, (await admin.GetFromJsonAsync<SetBody>($"{Sets}/{name}", TestContext.CancellationToken))!.Current);

        var history = (await admin.GetFromJsonAsync<MoveEntryBody[]>($"{Sets}/{name}/history", TestContext.CancellationToken))!;
        CollectionAssert.AreEqual(
            new[]
            {
                new MoveBody(name, 1, 2, "rolled-back", "v1 regressed", adminId),
                new MoveBody(name, 3, 1, "rolled-back", null, adminId),
                new MoveBody(name, 1, 3, "moved", "try v3", adminId),
                new MoveBody(name, null, 1, "created", null, adminId),
            },
            history.Select(entry => entry.ToMove()).ToArray());
        Assert.IsTrue(history.Zip(history.Skip(1)).All(pair => pair.First.MovedAt >= pair.Second.MovedAt), "newest first");

        for (var version = 1; version <= 3; version++)
        {
            var kept = await admin.GetFromJsonAsync<VersionBody>($"{Sets}/{name}/versions/{version}", TestContext.CancellationToken);
            Assert.AreEqual(blob.Digest, kept!.Blob, $"version {version} is still there");
        }
    }

    [TestMethod]
    public async Task CreateVersion_WithAnUnknownBlobOrInvalidFields_Returns400_AndCreatesNothing()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("set");
        var unknown = DigestOf(RandomNumberGenerator.GetBytes(32));

        using var noBlob = await admin.PostAsJsonAsync($"{Sets}/{name}/versions", new { blob = unknown, format = "safetensors" }, TestContext.CancellationToken);
        var problem = await AssertProblemAsync(noBlob, HttpStatusCode.BadRequest, "blob-not-found");
        StringAssert.Contains(problem.GetProperty("detail").GetString(), unknown);
        using var absent = await admin.GetAsync($"{Sets}/{name}", TestContext.CancellationToken);
        await AssertProblemAsync(absent, HttpStatusCode.NotFound, "set-not-found");

        var blob = await StoreBlobAsync(admin);
        using var badFormat = await admin.PostAsJsonAsync($"{Sets}/{name}/versions", new { blob = blob.Digest, format = "pickle" }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, badFormat.StatusCode);
        StringAssert.Contains(await badFormat.Content.ReadAsStringAsync(TestContext.CancellationToken), "format");
        using var badName = await admin.PostAsJsonAsync($"{Sets}/Not_Lower/versions", new { blob = blob.Digest, format = "onnx" }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, badName.StatusCode);
        using var badSource = await admin.PostAsJsonAsync($"{Sets}/{name}/versions", new { blob = blob.Digest, format = "other", sourceVersion = 4 }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, badSource.StatusCode);

        Assert.AreEqual(1, (await CreateVersionAsync(admin, name, blob)).Version, "nothing refused took a number");
    }

    [TestMethod]
    public async Task ConcurrentCreations_GetDistinctConsecutiveNumbers()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("set");
        var blob = await StoreBlobAsync(admin);

        var created = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => CreateVersionAsync(admin, name, blob)));

        CollectionAssert.AreEquivalent(Enumerable.Range(1, 8).ToArray(), created.Select(v => v.Version).ToArray());
        var set = await admin.GetFromJsonAsync<SetBody>($"{Sets}/{name}", TestContext.CancellationToken);
        Assert.AreEqual((1, 8), (set!.Current, set.Latest));
    }

    [TestMethod]
    public async Task PointerMoves_ReachTheAuditTrail_UnderTheSetsSubject()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("set");
        var blob = await StoreBlobAsync(admin);
        await CreateVersionAsync(admin, name, blob);
        await CreateVersionAsync(admin, name, blob);
        (await admin.PutAsJsonAsync($"{Sets}/{name}/current", new { version = 2, reason = "audited" }, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        // The trail keeps who did what to which set (not the payload): the first version's move, then this one.
        var audit = await Eventually.ReturnsAsync(
            async () => await admin.GetFromJsonAsync<AuditEntryBody[]>($"/api/logging/v1/audit?subject=params:{name}", TestContext.CancellationToken),
            audit => audit!.Count(entry => entry.EventName == "ParameterSetCurrentMoved") == 2,
            TimeSpan.FromSeconds(60), "both moves of current in the audit trail");
        Assert.AreEqual(2, audit!.Count(entry => entry.EventName == "ParameterSetVersionCreated"));
        var adminId = AdminIdOf(await system.AdminTokenAsync());
        Assert.IsTrue(audit!.All(entry => entry.Subject == $"params:{name}" && entry.Actor == adminId), "every entry names the set and the admin");
    }

    [TestMethod]
    public async Task Moves_WithOnlyParamsRead_Return403_WhileReadsAreAllowed()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("set");
        var blob = await StoreBlobAsync(admin);
        await CreateVersionAsync(admin, name, blob);
        await CreateVersionAsync(admin, name, blob);

        var reader = await system.CreateClientAsync("params:read");
        using var client = system.CreateGatewayClient(await system.TokenOfAsync(reader));

        using var move = await client.PutAsJsonAsync($"{Sets}/{name}/current", new { version = 2 }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Forbidden, move.StatusCode);
        using var rollback = await client.PostAsJsonAsync($"{Sets}/{name}/rollback", new { version = 1 }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Forbidden, rollback.StatusCode);
        using var create = await client.PostAsJsonAsync($"{Sets}/{name}/versions", new { blob = blob.Digest, format = "onnx" }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.AreEqual(1, (await client.GetFromJsonAsync<VersionBody>($"{Sets}/{name}/current", TestContext.CancellationToken))!.Version);
        Assert.AreEqual(2, (await client.GetFromJsonAsync<SetBody>($"{Sets}/{name}", TestContext.CancellationToken))!.Latest);
    }

    private async Task<BlobBody> StoreBlobAsync(HttpClient client)
    {
        var content = new ByteArrayContent(RandomNumberGenerator.GetBytes(4096));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var posted = await client.PostAsync("/api/params/v1/blobs", content, TestContext.CancellationToken);
        return await posted.ReadAsync<BlobBody>();
    }

    private async Task<VersionBody> CreateVersionAsync(
        HttpClient client, string name, BlobBody blob, string format = "other", Dictionary<string, string>? tags = null,
        string? description = null, int? sourceVersion = null)
    {
        using var created = await client.PostAsJsonAsync(
            $"{Sets}/{name}/versions", new { blob = blob.Digest, format, description, tags, sourceVersion }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, created.StatusCode, await created.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var version = await created.ReadAsync<VersionBody>();
        Assert.AreEqual($"{Sets}/{name}/versions/{version.Version}", created.Headers.Location?.OriginalString);
        return version;
    }

    private async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(status, response.StatusCode, body);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.AreEqual($"urn:novabrain:problem:{reason}", problem.GetProperty("type").GetString(), body);
        return problem;
    }

    private static string AdminIdOf(string token) => Tokens.Payload(token).GetProperty("sub").GetString()!;

    private static string DigestOf(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private sealed record BlobBody(string Digest, long Size);

    private sealed record AuditEntryBody(string EventName, string Subject, string? Actor);

    private sealed record SetBody(string Name, int Current, int Latest, DateTimeOffset CreatedAt);

    private sealed record SetSummaryBody(string Name, int Current);

    private sealed record PageBody<T>(T[] Items, string? Next);

    private sealed record VersionBody(
        string Name, int Version, string Blob, long Size, string Format, string? Description, Dictionary<string, string> Tags,
        int? SourceVersion, DateTimeOffset CreatedAt, string CreatedBy)
    {
        // Tags compare by content, so a version read twice equals itself.
        public bool Equals(VersionBody? other) =>
            other is not null && (Name, Version, Blob, Size, Format, Description, SourceVersion, CreatedAt, CreatedBy) ==
            (other.Name, other.Version, other.Blob, other.Size, other.Format, other.Description, other.SourceVersion, other.CreatedAt, other.CreatedBy) &&
            Tags.Count == other.Tags.Count && !Tags.Except(other.Tags).Any();

        public override int GetHashCode() => HashCode.Combine(Name, Version);
    }

    /// <summary>A move as the test states it: everything but when.</summary>
    private sealed record MoveBody(string Name, int? From, int To, string Kind, string? Reason, string MovedBy);

    private sealed record MoveEntryBody(string Name, int? From, int To, string Kind, string? Reason, string MovedBy, DateTimeOffset MovedAt)
    {
        public MoveBody ToMove() => new(Name, From, To, Kind, Reason, MovedBy);
    }
}
