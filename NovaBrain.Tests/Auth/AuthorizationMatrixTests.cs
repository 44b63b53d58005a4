using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Auth;

/// <summary>
/// Every operation every service publishes in its OpenAPI document, called as nobody, as a principal without the
/// permission the operation declares (<c>x-novabrain-permission</c>), and as one with only that permission. New
/// endpoints are covered without editing this test; an endpoint that declares nothing fails it.
/// </summary>
[TestClass]
public sealed class AuthorizationMatrixTests
{
    private static readonly string[] ApiPrefixes = ["auth", "registry", "serving", "data", "training", "params", "monitoring", "logging"];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task EveryEndpoint_Answers401ToNobody_403WithoutItsPermission_AndNeitherWithIt()
    {
        var system = await RunningSystem.GetAsync();
        using var anonymous = system.CreateGatewayClient();
        var operations = new List<Operation>();
        foreach (var prefix in ApiPrefixes)
        {
            var document = await anonymous.GetFromJsonAsync<JsonElement>($"/api/{prefix}/openapi/v1.json", TestContext.CancellationToken);
            operations.AddRange(Operations(document));
        }
        Assert.IsTrue(operations.Any(o => o.Permission == "models:write"), "the documents were read");

        var principals = new Principals(system);
        var failures = new ConcurrentBag<string>();
        var rows = new StringBuilder();
        foreach (var operation in operations)
        {
            if (operation.Permission is null)
            {
                failures.Add($"{operation}: declares no x-novabrain-permission");
                continue;
            }
            if (operation.Permission == "anonymous")
            {
                var status = await CallAsync(anonymous, operation);
                rows.AppendLine($"{operation} anonymous -> {(int)status}");
                Expect(failures, operation, "as nobody", status, s => s is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden));
                continue;
            }

            var asNobody = await CallAsync(anonymous, operation);
            Expect(failures, operation, "as nobody", asNobody, s => s == HttpStatusCode.Unauthorized);
            using var with = system.CreateGatewayClient(await principals.WithAsync(operation.Permission));
            var asHolder = await CallAsync(with, operation);
            Expect(failures, operation, "with the permission", asHolder, s => s is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden));
            var asOther = (HttpStatusCode?)null;
            if (operation.Permission != "authenticated")
            {
                using var without = system.CreateGatewayClient(await principals.WithoutAsync(operation.Permission));
                asOther = await CallAsync(without, operation);
                Expect(failures, operation, "without the permission", asOther.Value, s => s == HttpStatusCode.Forbidden);
            }
            rows.AppendLine($"{operation} [{operation.Permission}] nobody {(int)asNobody}, without {(int?)asOther}, with {(int)asHolder}");
        }

        TestContext.WriteLine(rows.ToString());
        Assert.IsEmpty(failures, string.Join(Environment.NewLine, failures.Order()));
    }

    private static void Expect(ConcurrentBag<string> failures, Operation operation, string who, HttpStatusCode status, Func<HttpStatusCode, bool> expected)
    {
        if (!expected(status))
        {
            failures.Add($"{operation} {who}: {(int)status}");
        }
    }

    private async Task<HttpStatusCode> CallAsync(HttpClient client, Operation operation)
    {
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), operation.ProbePath);
        if (operation.HasBody)
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }
        using var response = await client.SendAsync(request, TestContext.CancellationToken);
        return response.StatusCode;
    }

    private static IEnumerable<Operation> Operations(JsonElement document)
    {
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            // Path parameters get a value that names nothing (a new GUID is also a valid name), so a call with the
            // permission reaches the handler and answers 404 or 400, never 401 or 403.
            var probe = System.Text.RegularExpressions.Regex.Replace(path.Name, "{[^}]+}", Guid.NewGuid().ToString());
            foreach (var method in path.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                var permission = method.Value.TryGetProperty("x-novabrain-permission", out var declared) ? declared.GetString() : null;
                yield return new Operation(method.Name.ToUpperInvariant(), path.Name, probe, permission, method.Value.TryGetProperty("requestBody", out _));
            }
        }
    }

    private sealed record Operation(string Method, string Path, string ProbePath, string? Permission, bool HasBody)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    /// <summary>
    /// One client-credentials client per permission holding just that permission, and one holding every other
    /// permission. <c>api-keys:validate</c> belongs to the services' own clients only, so the gateway's client stands in.
    /// </summary>
    private sealed class Principals(RunningSystem system)
    {
        private static readonly string[] Grantable =
        [
            "models:read", "models:write", "models:approve", "deployments:manage", "inference:invoke", "training:submit",
            "data:run", "params:read", "params:write", "monitoring:read", "alerts:manage", "logs:read", "audit:read",
            "users:manage", "clients:manage",
        ];

        private readonly Dictionary<string, string> with = [];
        private readonly Dictionary<string, string> without = [];

        public async Task<string> WithAsync(string permission)
        {
            if (!with.TryGetValue(permission, out var token))
            {
                token = permission switch
                {
                    "authenticated" => await system.TokenOfAsync(await system.CreateClientAsync("models:read")),
                    "api-keys:validate" => await GatewayServiceTokenAsync(),
                    _ => await system.TokenOfAsync(await system.CreateClientAsync(permission)),
                };
                with[permission] = token;
            }
            return token;
        }

        public async Task<string> WithoutAsync(string permission)
        {
            if (!without.TryGetValue(permission, out var token))
            {
                token = await system.TokenOfAsync(await system.CreateClientAsync(Grantable.Where(p => p != permission).ToArray()));
                without[permission] = token;
            }
            return token;
        }

        private async Task<string> GatewayServiceTokenAsync()
        {
            using var gateway = system.CreateGatewayClient();
            return (await Tokens.ClientCredentialsAsync(gateway, "svc-gateway", system.Secret("gateway-client-secret"))).Require();
        }
    }
}
