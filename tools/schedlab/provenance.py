"""What produced a run, for run.json: the source commit and the scheduler's full parameters.

A figure is only reproducible if its run says which code and which settings made it; the
report shows these next to every result.
"""
import subprocess

from .configs import discover_schedulers
from .variants import config_name


def git_commit(repo):
    """(commit, dirty): `git rev-parse HEAD` and whether tracked or untracked files differ
    from it (`git status --porcelain`); (None, None) outside a git checkout."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return None, None
    status = git("status", "--porcelain", "--untracked-files=normal")
    return head.stdout.strip(), bool(status.stdout.strip()) if status.returncode == 0 else None


def scheduler_parameters(repo, scheduler, settings):
    """Every parameter of configs/<scheduler>.cmake by its --set key (timeslice_us), with the
    value the build used: the config's default unless `settings` ({CMAKE_VARIABLE: value})
    overrides it."""
    config = discover_schedulers(repo).get(scheduler)
    if config is None:
        return dict(settings)
    return {parameter.key: settings.get(variable, parameter.default)
            for variable, parameter in config.parameters.items()}


def provenance(repo, scheduler, settings, cpus, variant=None, engine="qemu"):
    commit, dirty = git_commit(repo)
    return {"config": config_name(variant or scheduler, cpus, engine), "commit": commit,
            "dirty": dirty,
            "sched_params": scheduler_parameters(repo, scheduler, settings)}


def qemu_version(executable):
    """The first line of `<executable> --version` (QEMU emulator version 7.2.x ...), or None
    when it cannot be run: figures in instructions depend on QEMU's icount."""
    try:
        result = subprocess.run([executable, "--version"], capture_output=True, text=True,
                                timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.splitlines()[0].strip() if result.stdout.strip() else None
