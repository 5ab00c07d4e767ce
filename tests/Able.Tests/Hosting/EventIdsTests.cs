using System.Reflection;
using Able.Attribution.Service;
using Able.Gateway;
using Able.Hosting;
using Microsoft.Extensions.Logging;

namespace Able.Tests.Hosting;

/// <summary>Each project keeps its log event ids in one EventIds class; operators filter on them, so none may collide.</summary>
public sealed class EventIdsTests
{
    private static readonly Assembly[] Projects =
    [
        typeof(AbleHost).Assembly,
        typeof(Able.Supervision.SupervisedLoop).Assembly,
        typeof(GatewayApp).Assembly,
        typeof(AttributionApp).Assembly,
        typeof(Able.Attribution.Worker.WorkerOptionsValidator).Assembly,
    ];

    private static int[] Declared(Assembly project)
    {
        var type = project.GetTypes().Single(t => t.Name == "EventIds");
        return [.. type.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (int)f.GetRawConstantValue()!)];
    }

    [Fact]
    public void No_two_event_ids_collide_across_projects()
    {
        var all = Projects.SelectMany(Declared).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Every_log_message_uses_an_id_from_its_projects_EventIds()
    {
        foreach (var project in Projects)
        {
            var declared = Declared(project);
            var used = project.GetTypes()
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
                .OfType<LoggerMessageAttribute>()
                .ToList();
            Assert.NotEmpty(used);
            Assert.All(used, message => Assert.Contains(message.EventId, declared));
        }
    }
}
