namespace NovaBrain.Auth.SigningKeys;

/// <summary>
/// Loads (and if due, rotates) the keys while the service starts, after the schema is migrated and before it
/// listens, so the first token request does not wait for it and a database problem stops the start.
/// </summary>
internal sealed class SigningKeyLoader(SigningKeyRing keyRing) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => keyRing.LoadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
