using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Npgsql;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.Registry;

namespace NovaBrain.Tests.EndToEnd;

/// <summary>
/// The running system, end to end. Some tests stop and start servers, so these run one at a time,
/// each leaving the system healthy as it found it.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SystemTests
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(90);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task EveryService_IsReady_WithItsRealDependenciesChecked()
    {
        var system = await RunningSystem.GetAsync();
        foreach (var service in RunningSystem.Services)
        {
            using var client = system.App.CreateHttpClient(service, "http");
            using var response = await client.GetAsync("/health/ready", TestContext.CancellationToken);
            var report = await response.Content.ReadFromJsonAsync<HealthReport>(Json, TestContext.CancellationToken);

            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, service);
            Assert.AreEqual("Healthy", report!.Status, service);
            Assert.IsTrue(report.Checks.Keys.Any(check => check.Contains("RabbitMQ", StringComparison.OrdinalIgnoreCase)),
                $"{service} checks its RabbitMQ connection: {string.Join(", ", report.Checks.Keys)}");
            if (service != "model-serving")
            {
                Assert.IsTrue(report.Checks.Keys.Any(check => check.EndsWith("Context", StringComparison.Ordinal)),
                    $"{service} checks its database: {string.Join(", ", report.Checks.Keys)}");
            }
        }
    }

    [TestMethod]
    [DataRow("auth", "Auth")]
    [DataRow("registry", "ModelRegistry")]
    [DataRow("serving", "ModelServing")]
    [DataRow("data", "DataProcessing")]
    [DataRow("training", "Training")]
    [DataRow("params", "Parameters")]
    [DataRow("monitoring", "Monitoring")]
    [DataRow("logging", "Logging")]
    public async Task Gateway_RoutesApiPrefix_ToItsService(string prefix, string project)
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = system.CreateGatewayClient();

        using var document = await gateway.GetFromJsonAsync<JsonDocument>($"/api/{prefix}/openapi/v1.json", TestContext.CancellationToken);

        Assert.AreEqual($"NovaBrain.{project} | v1", document!.RootElement.GetProperty("info").GetProperty("title").GetString());
    }

    [TestMethod]
    public async Task EachDatabase_HoldsItsServicesMigratedSchema()
    {
        var system = await RunningSystem.GetAsync();
        foreach (var database in RunningSystem.Databases)
        {
            var connectionString = await system.App.GetConnectionStringAsync(database, TestContext.CancellationToken);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(TestContext.CancellationToken);

            await using var command = new NpgsqlCommand(
                """SELECT current_database(), (SELECT count(*) FROM "__EFMigrationsHistory"), to_regclass('"OutboxMessages"') IS NOT NULL""",
                connection);
            await using var reader = await command.ExecuteReaderAsync(TestContext.CancellationToken);
            Assert.IsTrue(await reader.ReadAsync(TestContext.CancellationToken));

            Assert.AreEqual(database, reader.GetString(0));
            Assert.IsGreaterThanOrEqualTo(1L, reader.GetInt64(1), $"{database} has its migrations applied");
            Assert.IsTrue(reader.GetBoolean(2), $"{database} has the outbox table");
        }
    }

    [TestMethod]
    public async Task RegisteredModel_RoundTripsThroughTheGateway_AndRejectsBadInputWithReasons()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = await system.CreateAdminClientAsync();
        var name = UniqueModelName();

        using var created = await gateway.PostAsJsonAsync("/api/registry/v1/models", new { name, description = "round trip" }, TestContext.CancellationToken);
        var model = await gateway.GetFromJsonAsync<JsonElement>($"/api/registry/v1/models/{name}", TestContext.CancellationToken);
        using var duplicate = await gateway.PostAsJsonAsync("/api/registry/v1/models", new { name }, TestContext.CancellationToken);
        using var invalid = await gateway.PostAsJsonAsync("/api/registry/v1/models", new { name = "no spaces allowed" }, TestContext.CancellationToken);
        using var malformed = await gateway.PostAsync("/api/registry/v1/models",
            new StringContent("{\"name\":", global::System.Text.Encoding.UTF8, "application/json"), TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Created, created.StatusCode);
        Assert.AreEqual("round trip", model.GetProperty("description").GetString());
        await AssertProblemAsync(duplicate, HttpStatusCode.Conflict, "detail", name);
        await AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "errors", "name");
        await AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "detail", "JSON");
    }

    [TestMethod]
    public async Task RegisteredModelCreated_IsAuditedOnce_InTheTraceOfTheRequest()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = await system.CreateAdminClientAsync();
        var name = UniqueModelName();
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/registry/v1/models") { Content = JsonContent.Create(new { name }) };
        request.Headers.Add("traceparent", $"00-{traceId}-{traceId[..16]}-01");
        using var created = await gateway.SendAsync(request, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, created.StatusCode);

        var entries = await Eventually.ReturnsAsync(
            () => AuditEntriesAsync(gateway, name), found => found.Length > 0, DeliveryTimeout, $"an audit entry for {name}");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.CancellationToken);
        var afterwards = await AuditEntriesAsync(gateway, name);

        Assert.HasCount(1, afterwards);
        Assert.AreEqual("RegisteredModelCreated", entries[0].EventName);
        Assert.AreEqual(traceId, entries[0].TraceId);
    }

    [TestMethod]
    public async Task Events_AreDeliveredExactlyOnce_WhenRabbitMqRestartsMidway()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = await system.CreateAdminClientAsync();
        var batch = UniqueModelName();
        var names = new List<string>();

        async Task CreateModelsAsync(string phase)
        {
            for (var i = 0; i < 5; i++)
            {
                var name = $"{batch}-{phase}-{i}";
                using var response = await gateway.PostAsJsonAsync("/api/registry/v1/models", new { name }, TestContext.CancellationToken);
                Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, $"{name} is accepted while the broker is {phase}");
                using var version = await gateway.RegisterAsync(name, RegistryClient.Mlp(seed: i), new { format = "onnx" });
                Assert.AreEqual(HttpStatusCode.Created, version.StatusCode, $"a version of {name} is registered while the broker is {phase}");
                names.Add(name);
            }
        }

        await CreateModelsAsync("before");
        await system.StopResourceAsync("eventbus", TestContext.CancellationToken);
        try
        {
            await CreateModelsAsync("down");
        }
        finally
        {
            await system.StartResourceAsync("eventbus", TestContext.CancellationToken);
        }
        await CreateModelsAsync("after");

        foreach (var name in names)
        {
            await Eventually.ReturnsAsync(() => AuditEntriesAsync(gateway, name), found => found.Length >= 2, DeliveryTimeout, $"{name} and its version audited");
        }
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.CancellationToken);
        foreach (var name in names)
        {
            CollectionAssert.AreEquivalent(
                new[] { "ModelVersionRegistered", "RegisteredModelCreated" },
                (await AuditEntriesAsync(gateway, name)).Select(entry => entry.EventName).ToArray(),
                $"{name} and its version are audited exactly once each");
        }
        foreach (var service in RunningSystem.Services)
        {
            await system.WaitUntilHealthyAsync(service, TestContext.CancellationToken);
        }
    }

    [TestMethod]
    public async Task AuthService_KeepsItsSigningKeysAcrossARestart_SoIssuedTokensStayValid()
    {
        var system = await RunningSystem.GetAsync();
        var before = await system.AdminTokenAsync();

        system.KillService("auth");
        await system.StartResourceAsync("auth", TestContext.CancellationToken);

        var after = await system.AdminTokenAsync();
        Assert.AreEqual(Tokens.Header(before).GetProperty("kid").GetString(), Tokens.Header(after).GetProperty("kid").GetString(),
            "the same key signs after the restart");
        using var auth = system.App.CreateHttpClient("auth", "http").WithBearer(before);
        using var me = await auth.GetAsync("/api/auth/v1/me", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, me.StatusCode, "the restarted auth service accepts a token it signed before");
    }

    [TestMethod]
    public async Task GatewayReadiness_GoesNotReady_WhileAServiceIsDown()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = system.CreateGatewayClient();
        var ready = await Eventually.ReturnsAsync(() => GatewayReadinessAsync(gateway), r => r.Code == HttpStatusCode.OK, DeliveryTimeout, "the gateway ready");
        CollectionAssert.IsSubsetOf(RunningSystem.Services, ready.Report.Checks.Keys.ToArray());

        system.KillService("monitoring");
        (HttpStatusCode Code, HealthReport Report) degraded;
        try
        {
            degraded = await Eventually.ReturnsAsync(
                () => GatewayReadinessAsync(gateway), r => r.Code == HttpStatusCode.ServiceUnavailable, DeliveryTimeout, "the gateway not ready");
        }
        finally
        {
            await system.StartResourceAsync("monitoring", TestContext.CancellationToken);
        }
        await Eventually.ReturnsAsync(() => GatewayReadinessAsync(gateway), r => r.Code == HttpStatusCode.OK, DeliveryTimeout, "the gateway ready again");

        Assert.AreEqual("Unhealthy", degraded.Report.Checks["monitoring"]);
        Assert.AreEqual("Healthy", degraded.Report.Checks["model-registry"]);
    }

    [TestMethod]
    public async Task Gateway_AnswersGrpcHealth_OverCleartextHttp2()
    {
        var system = await RunningSystem.GetAsync();
        using var channel = GrpcChannel.ForAddress($"http://localhost:{system.GatewayGrpcPort}");
        var health = new Health.HealthClient(channel);

        var response = await Eventually.ReturnsAsync(
            async () => await health.CheckAsync(new HealthCheckRequest(), cancellationToken: TestContext.CancellationToken),
            r => r.Status == HealthCheckResponse.Types.ServingStatus.Serving, DeliveryTimeout, "the gateway serving");

        Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [TestMethod]
    public async Task Prometheus_ScrapesEveryService()
    {
        var system = await RunningSystem.GetAsync();
        using var prometheus = system.App.CreateHttpClient("prometheus", "http");
        string[] expected = ["gateway", .. RunningSystem.Services];

        var up = await Eventually.ReturnsAsync(
            async () =>
            {
                using var targets = await prometheus.GetFromJsonAsync<JsonDocument>("/api/v1/targets?state=active", TestContext.CancellationToken);
                return targets!.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                    .Where(target => target.GetProperty("health").GetString() == "up")
                    .Select(target => target.GetProperty("labels").GetProperty("service").GetString()!)
                    .ToHashSet();
            },
            services => expected.All(services.Contains), DeliveryTimeout, $"targets up for {string.Join(", ", expected)}");

        CollectionAssert.IsSubsetOf(expected, up.ToArray());
    }

    private static string UniqueModelName() => $"model-{Guid.NewGuid():N}"[..20];

    private async Task<AuditEntry[]> AuditEntriesAsync(HttpClient gateway, string modelName) =>
        (await gateway.GetFromJsonAsync<AuditEntry[]>(
            $"/api/logging/v1/audit?subject={Uri.EscapeDataString("model:" + modelName)}", Json, TestContext.CancellationToken))!;

    private async Task<(HttpStatusCode Code, HealthReport Report)> GatewayReadinessAsync(HttpClient gateway)
    {
        using var response = await gateway.GetAsync("/health/ready", TestContext.CancellationToken);
        var report = await response.Content.ReadFromJsonAsync<HealthReport>(Json, TestContext.CancellationToken);
        return (response.StatusCode, report!);
    }

    private async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string member, string mentions)
    {
        Assert.AreEqual(status, response.StatusCode);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.IsTrue(problem.RootElement.TryGetProperty("traceId", out _), "a problem carries the trace id");
        StringAssert.Contains(problem.RootElement.GetProperty(member).ToString(), mentions);
    }

    private sealed record HealthReport(string Status, Dictionary<string, string> Checks);

    private sealed record AuditEntry(Guid EventId, string EventName, string Subject, string? TraceId);
}
