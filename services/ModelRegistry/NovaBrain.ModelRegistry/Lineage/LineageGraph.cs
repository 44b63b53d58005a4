using Microsoft.EntityFrameworkCore;
using NovaBrain.ModelRegistry.Infrastructure;
using NovaBrain.ModelRegistry.References;

namespace NovaBrain.ModelRegistry.Lineage;

/// <summary>A node of a lineage graph: a model version (<c>models:/name/n</c>) or a reference it was produced from.</summary>
public sealed record LineageNode(string Id, string Kind);

/// <summary>An edge from what was used (<paramref name="From"/>) to what was produced from it (<paramref name="To"/>).</summary>
public sealed record LineageEdge(string From, string To, string Kind);

public sealed record LineageGraph(string Root, string Direction, int Depth, IReadOnlyList<LineageNode> Nodes, IReadOnlyList<LineageEdge> Edges);

public static class LineageDirections
{
    public const string Upstream = "upstream";
    public const string Downstream = "downstream";
}

/// <summary>Walks the lineage rows breadth first, following parent model versions up or child versions down.</summary>
public static class LineageGraphs
{
    public const int MaxDepth = 20;

    public static async Task<LineageGraph> WalkAsync(
        RegistryContext context, Guid rootId, string rootReference, string direction, int depth, CancellationToken cancellationToken)
    {
        var nodes = new Dictionary<string, LineageNode> { [rootReference] = new(rootReference, LineageKinds.Model) };
        var edges = new HashSet<LineageEdge>();
        var references = new Dictionary<Guid, string> { [rootId] = rootReference };
        var frontier = new List<Guid> { rootId };

        for (var level = 0; level < depth && frontier.Count > 0; level++)
        {
            var next = new List<Guid>();
            if (direction == LineageDirections.Upstream)
            {
                var rows = await context.LineageReferences.AsNoTracking().Where(l => frontier.Contains(l.VersionId)).OrderBy(l => l.Id).ToListAsync(cancellationToken);
                foreach (var row in rows)
                {
                    nodes.TryAdd(row.Reference, new LineageNode(row.Reference, row.Kind));
                    edges.Add(new LineageEdge(row.Reference, references[row.VersionId], row.Kind));
                    if (row.ParentVersionId is { } parent && references.TryAdd(parent, row.Reference))
                    {
                        next.Add(parent);
                    }
                }
            }
            else
            {
                var rows = await context.LineageReferences.AsNoTracking()
                    .Where(l => l.ParentVersionId != null && frontier.Contains(l.ParentVersionId.Value))
                    .Join(context.ModelVersions, l => l.VersionId, v => v.Id, (l, v) => new { l.ParentVersionId, v.Id, v.ModelId, v.Version })
                    .Join(context.RegisteredModels, x => x.ModelId, m => m.Id, (x, m) => new { x.ParentVersionId, x.Id, m.Name, x.Version })
                    .OrderBy(x => x.Name).ThenBy(x => x.Version)
                    .ToListAsync(cancellationToken);
                foreach (var row in rows)
                {
                    var child = ModelReference.ToVersion(row.Name, row.Version).ToString();
                    nodes.TryAdd(child, new LineageNode(child, LineageKinds.Model));
                    edges.Add(new LineageEdge(references[row.ParentVersionId!.Value], child, LineageKinds.Model));
                    if (references.TryAdd(row.Id, child))
                    {
                        next.Add(row.Id);
                    }
                }
            }
            frontier = next;
        }

        return new LineageGraph(rootReference, direction, depth, nodes.Values.ToArray(), edges.ToArray());
    }
}
