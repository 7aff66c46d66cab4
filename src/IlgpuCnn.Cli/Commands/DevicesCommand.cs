using System.CommandLine;
using IlgpuCnn.Device;

namespace IlgpuCnn.Cli.Commands;

/// <summary><c>ilgpucnn devices</c>: the accelerators ILGPU sees.</summary>
public static class DevicesCommand
{
    public static Command Create()
    {
        var cmd = new Command("devices", "List the accelerators ILGPU sees, with memory and compute capability.");
        cmd.SetAction(parse => Cli.Guard(parse, () =>
        {
            foreach (var line in ComputeDevice.Describe())
            {
                Console.WriteLine(line);
            }

            return 0;
        }));
        return cmd;
    }
}
