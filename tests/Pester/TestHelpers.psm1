# Shared by the Pester tests: where the staged module and the repository are.

function Get-TestModuleManifest {
    if ($env:INSIGHTFACEEVAL_MODULE) { return $env:INSIGHTFACEEVAL_MODULE }
    Join-Path (Get-TestRepositoryRoot) 'out/InsightFaceEval/InsightFaceEval.psd1'
}

function Get-TestRepositoryRoot {
    if ($env:INSIGHTFACEEVAL_ROOT) { return $env:INSIGHTFACEEVAL_ROOT }
    (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
}

function Get-TestSharedRoot {
    <# The shared folder beside the checkout (docs and the vendor's peers), as CI lays it out. #>
    Join-Path (Split-Path (Get-TestRepositoryRoot) -Parent) 'shared'
}

function Get-TestPython {
    <# Debian's python3 (which sees Debian's numpy, requests, opencv, sklearn), or $null. #>
    foreach ($candidate in '/usr/bin/python3', 'python3') {
        $cmd = Get-Command $candidate -ErrorAction SilentlyContinue
        if ($cmd) { return $cmd.Source }
    }
    $null
}

function Test-PythonModule {
    <# True when the test python can import every named module. #>
    param([Parameter(Mandatory)] [string[]] $Name)
    $python = Get-TestPython
    if (-not $python) { return $false }
    & $python -c ("import " + ($Name -join ', ')) 2>$null
    $LASTEXITCODE -eq 0
}

Export-ModuleMember -Function *
