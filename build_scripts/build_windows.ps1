# Build the Windows installer for Faultline: dist\Faultline\ (PyInstaller, from faultline.spec), its
# self-test, then dist\faultline-<version>-windows-x64-setup.exe (Inno Setup, from faultline.iss).
# Runs on Windows 10/11 x64 only; see build_scripts\README.md for what to install first.
#
#   powershell -ExecutionPolicy Bypass -File build_scripts\build_windows.ps1
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)
$py = if ($env:PY) { $env:PY } else { ".venv\Scripts\python.exe" }
if (-not (Test-Path $py)) { throw "no $($py) found: create the venv first (see build_scripts\README.md)" }

if (-not (Get-ChildItem engine\_core*.pyd -ErrorAction SilentlyContinue)) {
    & $py setup.py build_ext --inplace
    if ($LASTEXITCODE) { throw "building the engine failed (is the MSVC build tools' C compiler installed?)" }
}
& $py -m pip install -q "pyinstaller>=6.10,<7"
$version = & $py build_scripts\packaging_tools.py version
$numeric = & $py build_scripts\packaging_tools.py windows-version
$started = Get-Date

Remove-Item -Recurse -Force dist\Faultline, build\pyinstaller -ErrorAction SilentlyContinue
& $py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller build_scripts\faultline.spec
if ($LASTEXITCODE) { throw "PyInstaller failed" }

# The windowed executable has no console: the self-test writes its report to %TEMP%.
$report = Join-Path $env:TEMP "faultline-self-test.txt"
Remove-Item $report -ErrorAction SilentlyContinue
$test = Start-Process -FilePath dist\Faultline\Faultline.exe -ArgumentList "--self-test" -Wait -PassThru
Get-Content $report
if ($test.ExitCode -ne 0) { throw "the bundle's self-test failed (exit $($test.ExitCode))" }

$iscc = Get-Command iscc -ErrorAction SilentlyContinue
$isccPath = if ($iscc) { $iscc.Source } else { "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $isccPath)) { throw "Inno Setup 6 (ISCC.exe) is not installed" }
& $isccPath /Qp "/DAppVersion=$version" "/DAppVersionNumeric=$numeric" build_scripts\faultline.iss
if ($LASTEXITCODE) { throw "Inno Setup failed" }

$setup = Get-Item "dist\faultline-$version-windows-x64-setup.exe"
$bundle = (Get-ChildItem dist\Faultline -Recurse -File | Measure-Object Length -Sum).Sum
"built Faultline $version in {0:N0} s" -f ((Get-Date) - $started).TotalSeconds
"bundle    dist\Faultline: {0:N1} MiB" -f ($bundle / 1MB)
"installer $($setup.Name): {0:N1} MiB" -f ($setup.Length / 1MB)
