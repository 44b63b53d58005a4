using System.Collections.Concurrent;
using NovaBrain.ModelServing.Engines;
using NovaBrain.ModelServing.Infrastructure;

namespace NovaBrain.ModelServing.Deployments;

/// <summary>
/// The deployments of this service instance, in memory, with their specs stored (<see cref="DeploymentStore"/>) to
/// survive a restart: created, updated (rolling: the new version is loaded and warmed up beside the old, switched to
/// atomically, and the old one retired once its queued and running requests are done) and deleted (the version is
/// retired the same way and its sessions freed).
/// </summary>
public sealed class DeploymentManager(ModelLoader loader, DeploymentStore store, TimeProvider time, ILogger<DeploymentManager> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Deployment> deployments = new(StringComparer.Ordinal);
    // Adding or removing a deployment and storing or removing its spec happen together, so a late save of a deleted
    // deployment cannot bring it back at the next start.
    private readonly Lock registration = new();

    public IReadOnlyList<Deployment> List() => deployments.Values.OrderBy(deployment => deployment.Name, StringComparer.Ordinal).ToArray();

    public Deployment? Find(string name) => deployments.GetValueOrDefault(name);

    /// <summary>The deployments whose spec names <paramref name="reference"/> (an alias or a stage they follow).</summary>
    public IReadOnlyList<Deployment> Following(string reference) =>
        deployments.Values.Where(deployment => deployment.Read(d => d.Spec.Model) == reference).ToArray();

    /// <summary>Starts loading a new deployment; null when one of that name exists. The task completes once the load has settled.</summary>
    public (Deployment Deployment, Task Settled)? Create(DeploymentSpec spec)
    {
        var deployment = new Deployment(spec, time.GetUtcNow());
        lock (registration)
        {
            if (!deployments.TryAdd(spec.Name, deployment))
            {
                return null;
            }
            store.Save(spec);
        }
        return (deployment, StartLoad(deployment, spec));
    }

    /// <summary>Starts a rolling update of <paramref name="deployment"/> to <paramref name="spec"/>; the task completes once it has settled.</summary>
    public Task Update(Deployment deployment, DeploymentSpec spec) => StartLoad(deployment, spec);

    private Task StartLoad(Deployment deployment, DeploymentSpec spec) => Task.Run(() => LoadAsync(deployment, spec));

    private async Task LoadAsync(Deployment deployment, DeploymentSpec spec)
    {
        try
        {
            await deployment.Changes.WaitAsync(deployment.Lifetime.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            deployment.BeginLoad(spec, time.GetUtcNow());
            if (await TryLoadAsync(deployment, spec, "", reason => deployment.LoadFailed(spec, reason, time.GetUtcNow())) is not { } loaded)
            {
                return;
            }
            var previous = deployment.Switch(loaded, spec, time.GetUtcNow());
            Store(deployment);
            if (previous is not null)
            {
                await previous.DisposeAsync();
                logger.LogInformation("Deployment {Deployment} retired version {Version}", spec.Name, previous.Version);
            }
        }
        finally
        {
            deployment.Changes.Release();
        }
    }

    /// <summary>
    /// Starts loading <paramref name="spec"/> as the deployment's canary, to take <paramref name="percent"/> of requests
    /// once warmed up (replacing any canary before it); the task completes once the load has settled.
    /// </summary>
    public Task StartCanary(Deployment deployment, DeploymentSpec spec, int percent) => Task.Run(async () =>
    {
        try
        {
            await deployment.Changes.WaitAsync(deployment.Lifetime.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            deployment.BeginCanary(spec, percent, time.GetUtcNow());
            if (await TryLoadAsync(deployment, spec, "canary ", reason => deployment.CanaryFailed(spec, percent, reason, time.GetUtcNow())) is not { } loaded)
            {
                return;
            }
            if (deployment.SetCanary(loaded, spec, percent, time.GetUtcNow()) is { } replaced)
            {
                await replaced.DisposeAsync();
            }
            logger.LogInformation("Deployment {Deployment} sends {Percent}% of requests to canary version {Version}", spec.Name, percent, loaded.Version);
        }
        finally
        {
            deployment.Changes.Release();
        }
    });

    /// <summary>
    /// Loads and warms up <paramref name="spec"/> for the deployment; null if the load failed (reported through
    /// <paramref name="failed"/>) or the deployment was deleted meanwhile.
    /// </summary>
    private async Task<ServedModel?> TryLoadAsync(Deployment deployment, DeploymentSpec spec, string role, Action<string> failed)
    {
        ServedModel loaded;
        try
        {
            loaded = await loader.LoadAsync(spec, deployment.Lifetime.Token);
        }
        catch (OperationCanceledException) when (deployment.Lifetime.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception exception) when (exception is ModelResolutionException or ArtifactException or EngineLoadException or HttpRequestException)
        {
            logger.LogWarning("Deployment {Deployment} could not load {Role}{Model}: {Reason}", spec.Name, role, spec.Model, exception.Message);
            failed(exception.Message);
            return null;
        }
        if (deployment.Lifetime.IsCancellationRequested)
        {
            await loaded.DisposeAsync();
            return null;
        }
        return loaded;
    }

    /// <summary>Changes the share of requests the canary takes; false without a canary.</summary>
    public bool SetCanaryPercent(Deployment deployment, int percent) => deployment.SetCanaryPercent(percent, time.GetUtcNow());

    /// <summary>Makes the ready canary the primary and retires the old primary once its requests are done; false without a ready canary.</summary>
    public async Task<bool> PromoteCanaryAsync(Deployment deployment)
    {
        var promoted = await ChangeAndRetireAsync(deployment, deployment.PromoteCanary);
        if (promoted)
        {
            Store(deployment);
        }
        return promoted;
    }

    /// <summary>Stores the deployment's spec, unless it has been deleted meanwhile.</summary>
    private void Store(Deployment deployment)
    {
        lock (registration)
        {
            if (deployments.TryGetValue(deployment.Name, out var registered) && ReferenceEquals(registered, deployment))
            {
                var (spec, served) = deployment.Read(d => (d.Spec, d.Current?.Source.Version));
                store.Save(spec, served);
            }
        }
    }

    /// <summary>Stops the canary (loading, failed or ready) and retires its version; false without one.</summary>
    public Task<bool> AbortCanaryAsync(Deployment deployment) => ChangeAndRetireAsync(deployment, deployment.AbortCanary);

    /// <summary>
    /// Makes a change to the deployment's versions and retires the version it leaves behind. Under the deployment's
    /// change lock, so it waits for a canary load in progress to settle and what it retires cannot come back.
    /// </summary>
    private async Task<bool> ChangeAndRetireAsync(Deployment deployment, Func<DateTimeOffset, (bool Changed, ServedModel? Retired)> change)
    {
        await deployment.Changes.WaitAsync();
        try
        {
            var (changed, retired) = change(time.GetUtcNow());
            if (retired is not null)
            {
                await retired.DisposeAsync();
            }
            return changed;
        }
        finally
        {
            deployment.Changes.Release();
        }
    }

    /// <summary>Removes a deployment: a load in progress stops, and its serving version is retired. False when there is none.</summary>
    public async Task<bool> DeleteAsync(string name)
    {
        Deployment? deployment;
        lock (registration)
        {
            if (!deployments.TryRemove(name, out deployment))
            {
                return false;
            }
            store.Remove(name);
        }
        await RetireAsync(deployment);
        logger.LogInformation("Deployment {Deployment} deleted", name);
        return true;
    }

    private static async Task RetireAsync(Deployment deployment)
    {
        await deployment.Lifetime.CancelAsync();
        await deployment.Changes.WaitAsync();
        try
        {
            foreach (var retired in deployment.Retire())
            {
                await retired.DisposeAsync();
            }
        }
        finally
        {
            deployment.Changes.Release();
        }
    }

    /// <summary>Shutting down: every deployment's versions are retired, and their specs stay stored for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var name in deployments.Keys.ToArray())
        {
            if (deployments.TryRemove(name, out var deployment))
            {
                await RetireAsync(deployment);
            }
        }
    }
}
