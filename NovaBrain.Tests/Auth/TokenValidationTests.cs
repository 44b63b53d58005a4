using System.Buffers.Text;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NovaBrain.Tests.EndToEnd;
using Npgsql;

namespace NovaBrain.Tests.Auth;

/// <summary>
/// Forged and faulty tokens, made with the auth service's real signing key (read from its database) so that each
/// differs from a good token in exactly one way, and a good one made the same way proves the forging itself works.
/// </summary>
[TestClass]
public sealed class TokenValidationTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task GatewayAndServices_RejectExpiredForeignForgedAndUnsignedTokens_AndAcceptAGoodOne()
    {
        var system = await RunningSystem.GetAsync();
        var signingKey = await CurrentSigningKeyAsync(system);
        var issuer = $"http://localhost:{system.GatewayHttpPort}/";
        string Make(Action<SecurityTokenDescriptor> change, SecurityKey? key = null)
        {
            var now = DateTime.UtcNow;
            var descriptor = new SecurityTokenDescriptor
            {
                Issuer = issuer,
                Audience = "novabrain-registry",
                Subject = new ClaimsIdentity([new Claim("sub", "forged-subject"), new Claim("permission", "models:read")]),
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddMinutes(5),
                TokenType = "at+jwt",
                SigningCredentials = new SigningCredentials(key ?? signingKey, SecurityAlgorithms.RsaSha256),
            };
            change(descriptor);
            return new JsonWebTokenHandler().CreateToken(descriptor);
        }

        var good = Make(_ => { });
        var impostorKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = signingKey.KeyId };
        var unsigned = $"{Base64Url.EncodeToString("""{"alg":"none","typ":"at+jwt"}"""u8)}.{good.Split('.')[1]}.";
        var faulty = new Dictionary<string, string>
        {
            ["expired"] = Make(d => (d.IssuedAt, d.NotBefore, d.Expires) = (DateTime.UtcNow.AddMinutes(-30), DateTime.UtcNow.AddMinutes(-30), DateTime.UtcNow.AddMinutes(-10))),
            ["wrong audience"] = Make(d => d.Audience = "novabrain-elsewhere"),
            ["wrong issuer"] = Make(d => d.Issuer = "http://issuer.invalid/"),
            ["bad signature"] = Make(_ => { }, impostorKey),
            ["alg none"] = unsigned,
        };

        using var gateway = system.CreateGatewayClient();
        using var registry = system.App.CreateHttpClient("model-registry", "http");
        foreach (var (target, client) in new[] { ("gateway", gateway), ("registry directly", registry) })
        {
            Assert.AreEqual(HttpStatusCode.OK, await StatusWithAsync(client, good), $"{target} accepts the good token made the same way");
            foreach (var (fault, token) in faulty)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/registry/v1/models");
                request.Headers.Authorization = new("Bearer", token);
                using var response = await client.SendAsync(request, TestContext.CancellationToken);
                Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode, $"{target}, {fault}");
                Assert.IsTrue(response.Headers.WwwAuthenticate.Any(value => value.Scheme == "Bearer"), $"{target}, {fault}: WWW-Authenticate");
                Assert.IsNull(response.Headers.Location, "never a redirect");
            }
        }
    }

    private async Task<HttpStatusCode> StatusWithAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/registry/v1/models");
        request.Headers.Authorization = new("Bearer", token);
        using var response = await client.SendAsync(request, TestContext.CancellationToken);
        return response.StatusCode;
    }

    private async Task<RsaSecurityKey> CurrentSigningKeyAsync(RunningSystem system)
    {
        await using var connection = new NpgsqlConnection(await system.App.GetConnectionStringAsync("authdb", TestContext.CancellationToken));
        await connection.OpenAsync(TestContext.CancellationToken);
        await using var command = new NpgsqlCommand(
            """SELECT "Id", "PrivateKey" FROM "SigningKeys" WHERE "Use" = 'sig' ORDER BY "CreatedAt" DESC LIMIT 1""", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.CancellationToken);
        Assert.IsTrue(await reader.ReadAsync(TestContext.CancellationToken), "the auth service keeps its signing key in its database");
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey((byte[])reader["PrivateKey"], out _);
        return new RsaSecurityKey(rsa) { KeyId = reader.GetString(0) };
    }
}
