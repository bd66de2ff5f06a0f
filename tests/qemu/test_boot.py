"""What the kernel needs of the machine before it runs anything compiled: Zba, Zbb and
Zbs (cmake/target_flags.cmake). On a hart without them it must say so and stop, not trap at its
first bit-manipulation instruction (arch/riscv64/head.S)."""
from harness import TIMEOUT_SECONDS, artifacts
from tools.schedlab.qemu import qemu_command, run_qemu, boot_arguments

MESSAGE = "schedlab: this kernel needs the Zba, Zbb and Zbs extensions, which this hart lacks"


def boot(tmp_path, cpu):
    tmp_path.mkdir(parents=True, exist_ok=True)
    found = artifacts()
    command = qemu_command(found.kernel, found.directory / "tests" / "kernel" / "ktest.elf", 1,
                           boot_arguments(1, False, ["ktest.answer=42"]))
    command[command.index("-cpu") + 1] = cpu
    outcome = run_qemu(command, tmp_path, tmp_path / "console.log", TIMEOUT_SECONDS)
    assert not outcome.timed_out
    return (tmp_path / "console.log").read_text(errors="replace")


def test_a_hart_without_zba_zbb_or_zbs_is_told_so(tmp_path):
    for missing in ("zba=false", "zbb=false", "zbs=false", "zba=false,zbb=false,zbs=false"):
        console = boot(tmp_path / missing.replace(",", "_").replace("=", "-"), f"rv64,{missing}")
        assert MESSAGE in console, f"-cpu rv64,{missing}: {console[-2000:]}"
        assert "passed," not in console


def test_the_default_hart_boots(tmp_path):
    console = boot(tmp_path, "rv64")
    assert MESSAGE not in console
    assert " 0 failed" in console, console[-2000:]
