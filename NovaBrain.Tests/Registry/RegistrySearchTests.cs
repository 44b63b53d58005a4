using System.Net;
using System.Net.Http.Json;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Registry;

/// <summary>Searching models and versions with MLflow filters (and OR, NOT, parentheses), order_by and page tokens, on the running system.</summary>
[TestClass]
public sealed class RegistrySearchTests
{
    private const string Search = "/api/registry/v1/search";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Models_FilterByNameAndTags_WithOrNotAndParentheses()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var suite = Accounts.Unique("suite");
        foreach (var (name, team) in new[] { ("fraud-a", "vision"), ("fraud-b", "nlp"), ("churn-c", "vision") })
        {
            using var created = await admin.PostAsJsonAsync(RegistryClient.Models, new { name = $"{suite}-{name}", tags = new { suite, team } }, TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.Created, created.StatusCode);
        }

        async Task<string[]> NamesAsync(string filter) =>
            (await admin.GetAsync<ModelSearchBody>($"{Search}/models?filter={Uri.EscapeDataString(filter)}&order_by=name")).Models
                .Select(m => m.Name[(suite.Length + 1)..]).ToArray();

        CollectionAssert.AreEqual(new[] { "fraud-a" }, await NamesAsync($"name LIKE '{suite}-fraud%' AND tags.team = 'vision'"));
        CollectionAssert.AreEqual(
            new[] { "churn-c", "fraud-a", "fraud-b" },
            await NamesAsync($"tags.suite = '{suite}' AND (tags.team = 'vision' OR name ILIKE '%FRAUD-B')"));
        CollectionAssert.AreEqual(new[] { "fraud-b" }, await NamesAsync($"tags.suite = '{suite}' AND NOT tags.team = 'vision'"));
        CollectionAssert.AreEqual(new[] { "churn-c", "fraud-b" }, await NamesAsync($"tags.suite = '{suite}' AND NOT (name LIKE '%-a' )"));
    }

    [TestMethod]
    public async Task Versions_FilterByMetricsAndParams_AndPageInOrder()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = await admin.CreateModelAsync();
        foreach (var (accuracy, optimizer) in new[] { (0.80, "adam"), (0.92, "sgd"), (0.95, "adam") })
        {
            using var registered = await admin.RegisterAsync(name, RegistryClient.Mlp(), new { format = "onnx", metrics = new { accuracy }, @params = new { optimizer } });
            Assert.AreEqual(HttpStatusCode.Created, registered.StatusCode, await registered.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }

        async Task<int[]> VersionsAsync(string filter) =>
            (await admin.GetAsync<VersionSearchBody>($"{Search}/versions?filter={Uri.EscapeDataString(filter)}&order_by=version_number")).Versions
                .Select(v => v.Version).ToArray();

        CollectionAssert.AreEqual(new[] { 2, 3 }, await VersionsAsync($"name = '{name}' AND metrics.accuracy > 0.9"));
        CollectionAssert.AreEqual(new[] { 2 }, await VersionsAsync($"name = '{name}' AND NOT params.optimizer = 'adam'"));
        CollectionAssert.AreEqual(new[] { 1, 3 }, await VersionsAsync($"name = '{name}' AND (metrics.accuracy < 0.85 OR version_number >= 3)"));

        var seen = new List<VersionBody>();
        string? token = null;
        do
        {
            var page = await admin.GetAsync<VersionSearchBody>(
                $"{Search}/versions?filter={Uri.EscapeDataString($"name = '{name}'")}&order_by=version_number%20DESC&max_results=1" +
                (token is null ? "" : $"&page_token={Uri.EscapeDataString(token)}"));
            Assert.HasCount(1, page.Versions);
            seen.Add(page.Versions[0]);
            token = page.NextPageToken;
        }
        while (token is not null && seen.Count < 5);
        CollectionAssert.AreEqual(new[] { 3, 2, 1 }, seen.Select(v => v.Version).ToArray());
        Assert.AreEqual(0.95, seen[0].Metrics["accuracy"], 1e-9);
        Assert.AreEqual("adam", seen[0].Params["optimizer"]);
    }

    [TestMethod]
    public async Task MalformedSearches_AreRefusedWithTheReasonAndPosition()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();

        using var dangling = await admin.GetAsync($"{Search}/versions?filter={Uri.EscapeDataString("name = 'x' AND")}", TestContext.CancellationToken);
        var problem = await dangling.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-filter");
        Assert.AreEqual(14, problem.GetProperty("position").GetInt32(), problem.ToString());

        using var likeOnMetric = await admin.GetAsync($"{Search}/versions?filter={Uri.EscapeDataString("metrics.accuracy LIKE '9%'")}", TestContext.CancellationToken);
        var metric = await likeOnMetric.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-filter");
        StringAssert.Contains(metric.GetProperty("detail").GetString(), "LIKE");

        using var unknownField = await admin.GetAsync($"{Search}/models?filter={Uri.EscapeDataString("colour = 'red'")}", TestContext.CancellationToken);
        await unknownField.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-filter");

        using var badToken = await admin.GetAsync($"{Search}/models?page_token=not-a-token", TestContext.CancellationToken);
        await badToken.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-page-token");

        using var tooMany = await admin.GetAsync($"{Search}/models?max_results=0", TestContext.CancellationToken);
        await tooMany.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-max-results");
    }

    private sealed record ModelSearchBody(ModelBody[] Models, string? NextPageToken);

    private sealed record VersionSearchBody(VersionBody[] Versions, string? NextPageToken);
}
